package dev.chorus.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * What a room operation queued, to finish once the room's lock is released: the members whose
 * outbox took a frame (to flush) and those whose outbox overflowed (to evict). Both wait until
 * after the lock because sending can fail inline, and eviction takes the write lock, which a
 * thread holding the read lock can never get (a read lock cannot be upgraded: trying deadlocks).
 */
final class Fanout {

    private final List<Member> accepted = new ArrayList<>();
    private final List<Member> overflowed = new ArrayList<>(0);

    void offer(Member member, String frame) {
        switch (member.outbox().offer(frame)) {
            case ACCEPTED -> accepted.add(member);
            case OVERFLOWED -> overflowed.add(member);
            case CLOSED -> {
                // Leaving already: whoever closed it evicts it.
            }
        }
    }

    List<Member> accepted() {
        return accepted;
    }

    /** Members whose outbox this fanout closed for falling behind, each listed once across all fanouts. */
    List<Member> overflowed() {
        return overflowed;
    }
}
