package dev.chorus.handshake;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/** Handshakes refused before any WebSocket existed, by cause, for the metrics. */
@ApplicationScoped
public class HandshakeRefusals {

    /** Why a handshake was refused: the label of {@code chorus_refused_handshakes_total}. */
    public enum Cause {
        ORIGIN("origin"),
        FORGED_ADDRESS("forged-address"),
        ADDRESS_FULL("address-full");

        private final String label;

        Cause(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final ConcurrentMap<Cause, LongAdder> byCause = new ConcurrentHashMap<>();

    void count(Cause cause) {
        byCause.computeIfAbsent(cause, c -> new LongAdder()).increment();
    }

    /** Every cause, refused or not yet, with its count. */
    public Map<Cause, Long> byCause() {
        Map<Cause, Long> counts = new TreeMap<>();
        for (Cause cause : Cause.values()) {
            LongAdder count = byCause.get(cause);
            counts.put(cause, count == null ? 0 : count.sum());
        }
        return counts;
    }
}
