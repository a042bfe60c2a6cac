package dev.chorus.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The frames waiting for one socket, bounded by count and characters. Many threads add; only the
 * outbox's writer takes (and {@link #clear} may run beside it). Counts are reserved before a
 * frame is added and given back after it is taken, so they never fall below what is queued, and
 * a racing writer can never make an add skip a bound. The node's {@link OutboundBudget} is charged
 * and given back with them.
 */
final class FrameQueue {

    /**
     * The most characters one batched frame takes: past about a socket's send buffer (64 KiB is
     * what server-config gives both servers) a larger write saves no system call, and a client
     * should not have to hold a huge frame to parse it.
     */
    static final int MAX_BATCH_CHARS = 65_536;

    private final int maxFrames;
    private final long maxChars;
    private final Queue<String> frames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicLong chars = new AtomicLong();
    private final OutboundBudget budget;
    /** Drops this queue to keep the node within its budget; false if its outbox was closing anyway. */
    private final BooleanSupplier onShed;
    /** Whether the budget lists this queue as large; changed under the queue's monitor, with the list. */
    private volatile boolean watched;

    FrameQueue(int maxFrames, long maxChars) {
        this(maxFrames, maxChars, new OutboundBudget(Long.MAX_VALUE), () -> false);
    }

    FrameQueue(int maxFrames, long maxChars, OutboundBudget budget, BooleanSupplier onShed) {
        this.maxFrames = maxFrames;
        this.maxChars = maxChars;
        this.budget = budget;
        this.onShed = onShed;
    }

    /**
     * Adds the frame unless it would take the queue over its bounds, or the node over its budget
     * while no other queue is larger. An empty queue takes any frame, however large (a welcome
     * with a long history): its receiver is not behind.
     */
    boolean add(String frame) {
        int ahead = depth.getAndIncrement();
        long total = chars.addAndGet(frame.length());
        budget.charge(frame.length());
        if (ahead > 0 && (ahead >= maxFrames || total > maxChars || !budget.admits(this))) {
            uncount(frame);
            return false;
        }
        frames.add(frame);
        if (!watched && total > OutboundBudget.LARGE) {
            rewatch();
        }
        return true;
    }

    /** The next frame, or null; for the writer only. */
    String take() {
        String frame = frames.poll();
        if (frame != null) {
            uncount(frame);
        }
        return frame;
    }

    /**
     * The next frame and the frames behind it, to go out as separate frames in one write: up to
     * {@link #MAX_BATCH_CHARS} and never past {@code barrier}; empty if nothing is queued. For the
     * writer only; {@link #clear} may run beside it, so what it peeks at may be gone when it takes.
     */
    List<String> takeRun(String barrier) {
        return takeRun(barrier, 0);
    }

    /** As {@link #takeRun(String)}, counting {@code separator} characters between two frames. */
    private List<String> takeRun(String barrier, int separator) {
        String first = take();
        if (first == null) {
            return List.of();
        }
        List<String> run = null;
        long size = first.length();
        for (String next = frames.peek(); first != barrier && next != null && next != barrier
                && size + separator + next.length() <= MAX_BATCH_CHARS; next = frames.peek()) {
            // What was taken, not what was peeked: a clear() beside the writer (a close) may have
            // removed the peeked frame, and the writer then checks the close before sending.
            next = take();
            if (next == null) {
                break;
            }
            if (run == null) {
                run = new ArrayList<>();
                run.add(first);
            }
            run.add(next);
            size += separator + next.length();
        }
        return run == null ? List.of(first) : run;
    }

    /**
     * What goes out in the next write, empty if nothing is queued: the frames of a batch (one per
     * line of one frame, counting a line feed between two, if the client asked for {@code batches}),
     * else a run of separate frames where the peer writes {@code runs}, else one frame. The
     * {@code barrier} (a ping) always goes alone.
     */
    List<String> next(boolean runs, boolean batches, String barrier) {
        if (batches) {
            return takeRun(barrier, 1);
        }
        if (runs) {
            return takeRun(barrier);
        }
        String frame = take();
        return frame == null ? List.of() : List.of(frame);
    }

    boolean isEmpty() {
        return frames.isEmpty();
    }

    /** Drops every queued frame. */
    void clear() {
        while (take() != null) {
            // Taking is dropping.
        }
    }

    /** Frames waiting; a plain counter, since a concurrent queue's size() walks it. */
    int depth() {
        return depth.get();
    }

    /** Characters waiting. */
    long chars() {
        return chars.get();
    }

    /** Drops this queue for the node's budget; false if its outbox was closing anyway. */
    boolean shed() {
        return onShed.getAsBoolean();
    }

    private void uncount(String frame) {
        depth.decrementAndGet();
        long left = chars.addAndGet(-frame.length());
        budget.release(frame.length());
        if (watched && left < OutboundBudget.LARGE / 2) {
            rewatch();
        }
    }

    /**
     * Lists this queue in the budget while it holds more than {@link OutboundBudget#LARGE}
     * characters, and takes it off below half of that; under the monitor, so that the list always
     * agrees with {@link #watched} whichever threads add and take. Rare: only a receiver falling
     * behind crosses the line.
     */
    private synchronized void rewatch() {
        long now = chars.get();
        if (!watched && now > OutboundBudget.LARGE) {
            watched = true;
            budget.watch(this);
        } else if (watched && now < OutboundBudget.LARGE / 2) {
            watched = false;
            budget.unwatch(this);
        }
    }
}
