package dev.chorus.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * What a room operation queued, to finish once the room's lock is released: the members whose
 * outbox took a frame (to flush) and those whose outbox refused one (to evict). Both wait until
 * after the lock because sending can fail inline, and eviction takes the write lock, which a
 * thread holding the read lock can never get (a read lock cannot be upgraded: trying deadlocks).
 */
final class Fanout {

    private final List<Member> accepted = new ArrayList<>();
    private final List<Member> refused = new ArrayList<>(0);

    void offer(Member member, String frame) {
        if (member.outbox().enqueue(frame)) {
            accepted.add(member);
        } else {
            refused.add(member);
        }
    }

    List<Member> accepted() {
        return accepted;
    }

    List<Member> refused() {
        return refused;
    }
}
