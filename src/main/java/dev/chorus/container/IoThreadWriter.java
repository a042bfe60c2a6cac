package dev.chorus.container;

import dev.chorus.outbound.WriterThread;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Undertow's XNIO I/O thread as the {@link WriterThread} of the connections it writes: tasks are
 * handed to it as to any executor, and a batch window is timed by the thread itself
 * ({@code XnioExecutor.executeAfter}, served by its selector's timeout), so no other thread wakes
 * for the window. One per I/O thread: a broadcast groups members by writer.
 */
final class IoThreadWriter implements WriterThread {

    private final Executor thread;
    private final Method executeAfter;

    IoThreadWriter(Executor thread, Method executeAfter) {
        this.thread = thread;
        this.executeAfter = executeAfter;
    }

    @Override
    public void execute(Runnable task) {
        thread.execute(task);
    }

    @Override
    public void executeAfter(Runnable task, long delayMicros) {
        try {
            executeAfter.invoke(thread, task, delayMicros, TimeUnit.MICROSECONDS);
        } catch (InvocationTargetException e) {
            // XNIO refuses tasks once the thread is shutting down, as an executor would.
            throw e.getCause() instanceof RuntimeException refused ? refused : new RejectedExecutionException(e.getCause());
        } catch (IllegalAccessException e) {
            // Checked when the method was found; if it comes anyway, the window ends at once, nothing lost.
            thread.execute(task);
        }
    }

    @Override
    public boolean isCurrent() {
        return Thread.currentThread() == thread;
    }
}
