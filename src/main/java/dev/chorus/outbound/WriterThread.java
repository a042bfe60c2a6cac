package dev.chorus.outbound;

import java.util.concurrent.Executor;

/**
 * A thread that writes connections ({@link Peer#writer}) and can also run a task after a delay: a
 * {@link SendLanes lane}. A batch window then ends on the thread that writes the batch, where a
 * timer thread would have woken only to wake the writer: a hand-over fewer per window, each a wait
 * for a core on a busy node. Undertow's I/O thread is not one: XNIO's own delayed tasks can miss
 * their wake-up (docs/container-defects.md), so its windows stay on the timer.
 */
public interface WriterThread extends Executor {

    /**
     * Runs {@code task} on this thread once {@code delayMicros} have passed.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the thread is stopping
     */
    void executeAfter(Runnable task, long delayMicros);

    /** Whether the calling thread is this one: a write from here goes out at once. */
    boolean isCurrent();
}
