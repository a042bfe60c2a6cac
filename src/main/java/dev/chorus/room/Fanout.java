package dev.chorus.room;

import dev.chorus.outbound.Peer;
import dev.chorus.outbound.SendLanes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * What a room operation queued, to finish once the room's lock is released: the members whose
 * outbox took a frame (to flush) and those whose outbox overflowed (to evict). Both wait until
 * after the lock because sending can fail inline, and eviction takes the write lock, which a
 * thread holding the read lock can never get (a read lock cannot be upgraded: trying deadlocks).
 */
public final class Fanout {

    private final List<Member> accepted = new ArrayList<>();
    private final List<Member> overflowed = new ArrayList<>(0);

    public void offer(Member member, String frame) {
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

    /**
     * Starts sending what each accepted member's outbox took, through {@code flush}: at once where
     * the member has no writer of its own ({@link Peer#writer}) or this is it, else in one
     * hand-over per writer instead of one per member: Undertow's I/O thread (which queues each
     * send from another thread as a task of its own and wakes for it) or a Tyrus connection's
     * {@link SendLanes lane}. The frames are queued already, in order; only where they are
     * written moves.
     */
    void flush(Consumer<Member> flush) {
        Map<Executor, List<Member>> byWriter = null;
        for (Member member : accepted) {
            Executor writer = member.outbox().writer();
            if (writer == null || writer == Thread.currentThread()) {
                flush.accept(member);
            } else {
                if (byWriter == null) {
                    byWriter = new HashMap<>();
                }
                byWriter.computeIfAbsent(writer, thread -> new ArrayList<>()).add(member);
            }
        }
        if (byWriter != null) {
            byWriter.forEach((writer, members) -> handOver(writer, members, flush));
        }
    }

    private static void handOver(Executor writer, List<Member> members, Consumer<Member> flush) {
        try {
            writer.execute(() -> members.forEach(flush));
        } catch (RejectedExecutionException e) {
            // The container is stopping its threads: write from here, as any other thread would.
            members.forEach(flush);
        }
    }

    /** Members whose outbox this fanout closed for falling behind, each listed once across all fanouts. */
    List<Member> overflowed() {
        return overflowed;
    }
}
