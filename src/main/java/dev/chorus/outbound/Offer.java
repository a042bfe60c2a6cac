package dev.chorus.outbound;

/** What became of a frame offered to an {@link Outbox}. */
public enum Offer {
    /** Queued; {@link Outbox#flush} sends it. */
    ACCEPTED,
    /**
     * Over the bounds: this offer closed the outbox with 1013 (queue full), so that no later
     * frame can overtake the refused one. The caller evicts the member; exactly one offer
     * ever gets this answer.
     */
    OVERFLOWED,
    /** The outbox was closed already; the frame is dropped. */
    CLOSED
}
