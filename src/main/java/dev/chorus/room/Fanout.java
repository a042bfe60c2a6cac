package dev.chorus.room;

import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.BatchWindow;
import dev.chorus.outbound.Peer;
import dev.chorus.outbound.SendLanes;
import dev.chorus.outbound.WriterThread;
import dev.chorus.protocol.CloseReasons;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
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
    private final ChatMetrics metrics;
    private final BiConsumer<Member, CloseReason> evict;

    /** A fanout that counts what it delivers in {@code metrics} and drops members that overflowed through {@code evict}. */
    public Fanout(ChatMetrics metrics, BiConsumer<Member, CloseReason> evict) {
        this.metrics = metrics;
        this.evict = evict;
    }

    /**
     * Finishes what the room operation queued, once its lock is released: counts the frames as
     * deliveries, starts sending them ({@link #flush}), and evicts the members whose queue
     * overflowed. A flush that throws drops that one member (1011) and the others are still flushed.
     */
    public void complete() {
        metrics.delivered(accepted.size());
        send();
    }

    /** As {@link #complete}, for frames that are not deliveries (pings): nothing is counted but the outbox depth. */
    public void send() {
        int deepest = 0;
        for (Member member : accepted) {
            deepest = Math.max(deepest, member.outbox().queued());
        }
        flushAll();
        // Once per fanout: each call goes through the bean's client proxy (measured 4% of a
        // broadcasting node's CPU when it was called once per member).
        metrics.observeOutboxDepth(deepest);
        for (Member member : overflowed) {
            metrics.outboxOverflowed();
            evict.accept(member, CloseReasons.QUEUE_FULL);
        }
    }

    private void flush(Member member) {
        try {
            member.outbox().flush();
        } catch (RuntimeException e) {
            member.sendFailed(e);
        }
    }

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
     * Starts sending what each accepted member's outbox took, or for a member whose client takes
     * batches, once its {@link BatchWindow} has passed (unless a window is open for it already,
     * whose flush takes this too): at once where the member has no writer of its own
     * ({@link Peer#writer}) or this is it, else in one hand-over per writer instead of one per
     * member: Undertow's I/O thread (which queues each send from another thread as a task of its
     * own and wakes for it) or a Tyrus connection's {@link SendLanes lane}. A window ends on the
     * members' writer where that times it ({@link WriterThread}), one task for all of them. The
     * frames are queued already, in order; only where they are written moves.
     */
    private void flushAll() {
        List<Member> now = accepted;
        Map<Object, List<Member>> held = null;
        for (int i = 0; i < accepted.size(); i++) {
            Member member = accepted.get(i);
            BatchWindow window = member.outbox().batchWindow();
            if (window == null) {
                if (now != accepted) {
                    now.add(member);
                }
                continue;
            }
            if (now == accepted) {
                // The first member whose batch waits: the others before it go out now.
                now = new ArrayList<>(accepted.subList(0, i));
            }
            if (member.outbox().holdForBatch()) {
                if (held == null) {
                    held = new HashMap<>(4);
                }
                // One task per writer that times its windows, else one per window, on its timer.
                Executor writer = member.outbox().writer();
                held.computeIfAbsent(writer instanceof WriterThread ? writer : window, ends -> new ArrayList<>()).add(member);
            }
            // Else a window is open for it already, and its flush takes this frame too.
        }
        if (held != null) {
            held.forEach((ends, members) -> members.get(0).outbox().batchWindow().after(
                    members.get(0).outbox().writer(), () -> {
                        members.forEach(member -> member.outbox().releaseBatch());
                        flushAll(members);
                    }));
        }
        flushAll(now);
    }

    /** Starts sending what these members' outboxes took, each on its writer (see {@link #flushAll()}). */
    private void flushAll(List<Member> members) {
        Map<Executor, List<Member>> byWriter = null;
        for (Member member : members) {
            Executor writer = member.outbox().writer();
            if (writer == null || writer == Thread.currentThread()
                    || writer instanceof WriterThread thread && thread.isCurrent()) {
                flush(member);
            } else {
                if (byWriter == null) {
                    byWriter = new HashMap<>();
                }
                byWriter.computeIfAbsent(writer, thread -> new ArrayList<>()).add(member);
            }
        }
        if (byWriter != null) {
            byWriter.forEach((writer, onWriter) -> handOver(writer, onWriter, this::flush));
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
