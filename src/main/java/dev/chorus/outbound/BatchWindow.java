package dev.chorus.outbound;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How long the events for a client that takes batches ({@code ?batch=1}) wait to go out together,
 * and where the wait is timed. Such a client said it takes several events in one frame;
 * waiting a moment lets a busy room's events for it gather, so they cost one write where each
 * would have cost its own: a system call per write is most of what a delivery costs. A client
 * that asked for nothing waits for nothing.
 */
public final class BatchWindow {

    private final long delayMicros;
    /** Runs what it is given once the window has passed, for writers that cannot time it themselves. */
    private final Executor afterDelay;

    /** A window of {@code delayMicros}, timed on the member's {@link WriterThread} or else on {@code timer}. */
    public BatchWindow(long delayMicros, ScheduledExecutorService timer) {
        this(delayMicros, send -> timer.schedule(send, delayMicros, TimeUnit.MICROSECONDS));
    }

    /** A window that ends when {@code afterDelay} runs what it is given (tests end it by hand). */
    public BatchWindow(Executor afterDelay) {
        this(0, afterDelay);
    }

    private BatchWindow(long delayMicros, Executor afterDelay) {
        this.delayMicros = delayMicros;
        this.afterDelay = afterDelay;
    }

    /**
     * Runs {@code send} once the window has passed: on {@code writer} where it is a
     * {@link WriterThread}, else on the timer; at once, here, if that is stopping (the application
     * is), so that nothing queued is left unsent.
     */
    public void after(Executor writer, Runnable send) {
        try {
            if (writer instanceof WriterThread thread) {
                thread.executeAfter(send, delayMicros);
            } else {
                afterDelay.execute(send);
            }
        } catch (RejectedExecutionException e) {
            send.run();
        }
    }
}
