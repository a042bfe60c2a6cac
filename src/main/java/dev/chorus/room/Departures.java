package dev.chorus.room;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The threads on which a member whose send failed leaves and is closed. A container reports a
 * failed send on a thread of its own, Tyrus inline holding that connection's writer monitor, and
 * the leave writes to the others, closes those whose queue the leave event overflowed and closes
 * the failed socket: network I/O that must not run under a container's lock.
 * <p>
 * Started on first use, from the factory's threads; idle threads end after a minute.
 */
final class Departures implements Executor {

    /**
     * Two, so that a close blocked on a container's lock does not hold up every other departure;
     * failures are rare, and each departure is short.
     */
    private static final int THREADS = 2;

    private final Supplier<ThreadFactory> threads;
    private ThreadPoolExecutor pool;
    private boolean stopped;

    /** Departures on threads from the factory {@code threads} gives when the first one comes. */
    Departures(Supplier<ThreadFactory> threads) {
        this.threads = threads;
    }

    /**
     * Runs the departure on one of the threads; on the calling thread once {@link #stop} has run,
     * as nothing else would (undeploy: every socket is being closed anyway). Handed over under the
     * same monitor as the stop, so the pool never creates a thread while it shuts down: one created
     * then is never started, and a container's thread factory keeps it, and this application with
     * it, until the server restarts (WildFly's managed thread factory lists every thread it made).
     */
    @Override
    public void execute(Runnable departure) {
        synchronized (this) {
            ThreadPoolExecutor running = started();
            if (running != null) {
                running.execute(departure);
                return;
            }
        }
        departure.run();
    }

    /** The pool, started if need be; null once stopped. */
    private synchronized ThreadPoolExecutor started() {
        if (pool == null && !stopped) {
            pool = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), threads.get());
            pool.allowCoreThreadTimeOut(true);
        }
        return pool;
    }

    /**
     * Lets the departures already handed over finish, waiting at most {@code waitNanos} for their
     * threads to end, then interrupts them: a thread still running after undeploy would hold the
     * application's class loader. True if they ended in time.
     */
    boolean stop(long waitNanos) throws InterruptedException {
        ThreadPoolExecutor running;
        synchronized (this) {
            stopped = true;
            running = pool;
            pool = null;
            if (running == null) {
                return true;
            }
            running.shutdown();
        }
        if (running.awaitTermination(waitNanos, TimeUnit.NANOSECONDS)) {
            return true;
        }
        running.shutdownNow();
        return false;
    }
}
