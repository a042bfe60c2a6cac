package dev.chorus.outbound;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The characters queued in every outbox of the node, against {@code chorus.outbox.total-max-chars}:
 * each outbox within its own bound could still fill the heap (10,000 connections of 1 Mi characters
 * each). Over the total, the largest queue is shed first, since its receiver is the one furthest
 * behind; when no other queue is larger, the queue that would grow is refused instead.
 * <p>
 * A frame shared by many queues (a broadcast) is counted once per queue, as each queue's own bound
 * counts it: the total is an upper bound of the memory the queues hold, never less.
 */
public final class OutboundBudget {

    private static final Logger LOG = Logger.getLogger(OutboundBudget.class.getName());

    /** A queue holding more than this many characters is a candidate for shedding; below half of it, no longer. */
    static final long LARGE = FrameQueue.MAX_BATCH_CHARS;

    private final long limit;
    /** Added to and taken from by every queue on every frame: an adder, which threads do not contend for. */
    private final LongAdder used = new LongAdder();
    /** The queues over {@link #LARGE}: few (only receivers that fell behind), so a shed scans little. */
    private final Set<FrameQueue> large = ConcurrentHashMap.newKeySet();
    private final LongAdder shed = new LongAdder();

    /** A budget of {@code limit} characters; 0: a quarter of the heap this JVM may use. */
    public OutboundBudget(long limit) {
        this.limit = limit > 0 ? limit : Runtime.getRuntime().maxMemory() / 4;
    }

    void charge(long chars) {
        used.add(chars);
    }

    void release(long chars) {
        used.add(-chars);
    }

    void watch(FrameQueue queue) {
        large.add(queue);
    }

    void unwatch(FrameQueue queue) {
        large.remove(queue);
    }

    /**
     * True if {@code growing}, already charged for the frame it adds, may keep it: the node is
     * within its total, or a larger queue was shed to make room. False if no other queue is larger.
     * Never blocks and never touches the network (a shed queue's member leaves on its outbox's
     * failure executor), so a broadcast may call it under a room's lock.
     */
    boolean admits(FrameQueue growing) {
        if (used.sum() <= limit) {
            return true;
        }
        FrameQueue largest = null;
        for (FrameQueue queue : large) {
            if (largest == null || queue.chars() > largest.chars()) {
                largest = queue;
            }
        }
        if (largest == null || largest == growing || largest.chars() <= growing.chars()) {
            return false;
        }
        if (largest.shed()) {
            shed.increment();
            long count = shed.sum();
            if (count == 1 || count % 1_000 == 0) {
                LOG.log(Level.WARNING, "The node''s outbound queues passed chorus.outbox.total-max-chars ({0} characters):"
                        + " the largest queue was dropped and its connection closed with 1013 ({1} so far)",
                        new Object[] {limit, count});
            }
        }
        return true;
    }

    /** Characters queued in all outboxes now. */
    public long used() {
        return used.sum();
    }

    /** Queues dropped to keep the node within its total. */
    public long shed() {
        return shed.sum();
    }

    /** Queues large enough to be shed; for tests, which check that none is left once everyone is gone. */
    int watched() {
        return large.size();
    }
}
