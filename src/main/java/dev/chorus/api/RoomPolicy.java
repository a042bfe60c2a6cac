package dev.chorus.api;

/**
 * The application's say on who may join a room and what may be posted in it. A bean of the
 * deployment that implements this (an {@code @ApplicationScoped} class added to the WAR) is asked
 * at every join and before every client message is numbered, on the node that received it; without
 * one, everything is allowed. It runs on the container's thread for that connection: keep it quick.
 * A policy that throws refuses (fail closed), and the log says so.
 */
public interface RoomPolicy {

    /** May {@code user} (the signed-in principal's name, or the name the client asked for) join the room? */
    default Verdict mayJoin(String room, String user) {
        return Verdict.ALLOW;
    }

    /** May the member (its name in the room, suffix included) post this text in the room? */
    default Verdict mayPost(String room, String member, String text) {
        return Verdict.ALLOW;
    }

    /** Allowed, or refused with a reason the client is shown (keep it short: a close reason holds 123 bytes). */
    record Verdict(boolean allowed, String reason) {

        public static final Verdict ALLOW = new Verdict(true, "");

        public static Verdict refuse(String reason) {
            return new Verdict(false, reason);
        }
    }
}
