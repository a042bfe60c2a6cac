package dev.chorus.testsupport;

import dev.chorus.config.ChatSettings;

/** The documented defaults with some concerns changed, for tests and benchmarks. */
public final class Settings {

    private Settings() {
    }

    /** {@link ChatSettings#DEFAULTS} with each given concern (History, Inbound, Outbound, Limits…) in place of its own. */
    public static ChatSettings defaultsWith(Record... changed) {
        ChatSettings d = ChatSettings.DEFAULTS;
        ChatSettings.History history = d.history();
        ChatSettings.Inbound inbound = d.inbound();
        ChatSettings.Outbound outbound = d.outbound();
        ChatSettings.Liveness liveness = d.liveness();
        ChatSettings.Limits limits = d.limits();
        ChatSettings.Access access = d.access();
        ChatSettings.Cluster cluster = d.cluster();
        for (Record concern : changed) {
            if (concern instanceof ChatSettings.History h) {
                history = h;
            } else if (concern instanceof ChatSettings.Inbound i) {
                inbound = i;
            } else if (concern instanceof ChatSettings.Outbound o) {
                outbound = o;
            } else if (concern instanceof ChatSettings.Liveness l) {
                liveness = l;
            } else if (concern instanceof ChatSettings.Limits l) {
                limits = l;
            } else if (concern instanceof ChatSettings.Access a) {
                access = a;
            } else if (concern instanceof ChatSettings.Cluster c) {
                cluster = c;
            } else {
                throw new IllegalArgumentException("not a settings concern: " + concern);
            }
        }
        return new ChatSettings(history, inbound, outbound, liveness, limits, access, cluster);
    }
}
