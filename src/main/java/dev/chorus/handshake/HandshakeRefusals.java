package dev.chorus.handshake;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Handshakes refused before any WebSocket existed, by cause, for the metrics. */
@ApplicationScoped
public class HandshakeRefusals {

    /** Why a handshake was refused: the label of {@code chorus_refused_handshakes_total}. */
    public enum Cause {
        ORIGIN("origin"),
        FORGED_ADDRESS("forged-address"),
        ADDRESS_FULL("address-full"),
        MALFORMED_QUERY("malformed-query"),
        HANDSHAKE_RATE("handshake-rate");

        private final String label;

        Cause(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One counter per cause, all made up front, so the map is never written after construction. */
    private final Map<Cause, LongAdder> byCause = new EnumMap<>(Cause.class);

    public HandshakeRefusals() {
        for (Cause cause : Cause.values()) {
            byCause.put(cause, new LongAdder());
        }
    }

    void count(Cause cause) {
        byCause.get(cause).increment();
    }

    /** Every cause, refused or not yet, with its count. */
    public Map<Cause, Long> byCause() {
        Map<Cause, Long> counts = new EnumMap<>(Cause.class);
        byCause.forEach((cause, count) -> counts.put(cause, count.sum()));
        return counts;
    }
}
