package dev.chorus.outbound;

import dev.chorus.config.ChatSettings;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that write to connections whose container writes on the caller's thread and takes a
 * backlog as one write (Tyrus on Payara: {@link Peer#writesRuns}), and to Tyrus connections that
 * Tyrus frames itself (an extension, or a Tyrus laid out differently: one frame per write, but
 * still off the reading thread). Each such connection is given
 * one lane for its life; a broadcast queues its frames and hands each lane one task for all its
 * members ({@code room.Fanout}), instead of writing 99 sockets on the thread that read the
 * message. The point is what happens under load: while a lane writes one member, the next
 * broadcasts queue behind it, so that when it comes to the others it finds several frames each
 * and writes them in one system call. The busier the node, the fewer writes per delivery, where
 * writing on the reading thread stayed at one write each and fell behind for good (measured on
 * Payara at 79,000 deliveries/s offered: p50 1.6 s before, 3 ms with lanes; see README).
 * <p>
 * Two lanes at least, one per core beyond that, unless {@code chorus.outbox.send-lanes} says how
 * many: with one, a lane was the bottleneck (p99 311 ms at 99,000/s, against 20-33 ms with 2 to 8).
 * Idle lanes end their thread after a minute. A lane also times the batch windows of its
 * connections ({@link WriterThread}), so a window's end wakes only the lane that writes it.
 */
@ApplicationScoped
public class SendLanes {

    /** The container's threads for the application (context set up, stopped with it); plain threads in tests. */
    @Resource
    ManagedThreadFactory threads;

    private static final Logger LOG = Logger.getLogger(SendLanes.class.getName());

    /** How long undeploy waits for the lanes to write what they were handed. */
    private static final long STOP_WAIT_SECONDS = 2;

    private final int count;
    private final long batchDelayMicros;
    private final AtomicInteger turn = new AtomicInteger();
    private volatile Lane[] lanes;
    /**
     * Times batch windows ({@link BatchWindow}) of connections without a {@link WriterThread};
     * started with the first window, stopped with the lanes.
     */
    private volatile ScheduledThreadPoolExecutor timer;
    private volatile BatchWindow batchWindow;

    /** As many lanes as the settings say, and their batch delay. */
    @Inject
    public SendLanes(ChatSettings settings) {
        this(settings.outbound().sendLanes(), settings.outbound().batchDelayMillis() * 1000L);
    }

    /** The default number of lanes: one per core, two at least; no batch delay. */
    public SendLanes() {
        this(0, 0);
    }

    /** {@code count} lanes (0: one per core, two at least), batches held for {@code batchDelayMicros} (0: not). */
    SendLanes(int count, long batchDelayMicros) {
        this.count = count > 0 ? count : Math.max(2, Runtime.getRuntime().availableProcessors());
        this.batchDelayMicros = batchDelayMicros;
    }

    /**
     * The window in which events for a client that takes batches gather, on whatever container:
     * null if the settings hold no delay. A lane times the windows of the connections it writes;
     * one timer thread serves any others (Undertow's), handing their flushes to their writers.
     */
    public BatchWindow batchWindow() {
        if (batchDelayMicros == 0) {
            return null;
        }
        BatchWindow window = batchWindow;
        return window != null ? window : startTimer();
    }

    private synchronized BatchWindow startTimer() {
        if (batchWindow == null) {
            ScheduledThreadPoolExecutor started = new ScheduledThreadPoolExecutor(1, threadFactory());
            timer = started;
            batchWindow = new BatchWindow(batchDelayMicros, started);
        }
        return batchWindow;
    }

    private ThreadFactory threadFactory() {
        return threads != null ? threads : Executors.defaultThreadFactory();
    }

    /** The lane for a new connection: each in turn. Threads start with the first. */
    public Executor assign() {
        Lane[] all = lanes;
        if (all == null) {
            all = start();
        }
        return all[Math.floorMod(turn.getAndIncrement(), all.length)];
    }

    private synchronized Lane[] start() {
        if (lanes == null) {
            Lane[] all = new Lane[count];
            for (int i = 0; i < count; i++) {
                all[i] = new Lane(threadFactory());
            }
            lanes = all;
        }
        return lanes;
    }

    /**
     * Lets the lanes finish what they were handed, and waits a bounded time for their threads to
     * end: a lane still running after undeploy holds the application's class loader. A broadcast
     * after this writes from its own thread ({@code room.Fanout}), as the lanes refuse it.
     */
    @PreDestroy
    void stop() {
        ScheduledThreadPoolExecutor timing = timer;
        if (timing != null) {
            // First, as it hands flushes to the lanes; windows still open end in their time (shutdown() runs delayed tasks).
            await(new ThreadPoolExecutor[] {timing});
        }
        Lane[] all = lanes;
        if (all != null) {
            await(all);
        }
    }

    /** Stops the executors and waits a bounded time for them to end. */
    private static void await(ThreadPoolExecutor[] all) {
        for (ThreadPoolExecutor lane : all) {
            lane.shutdown();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        try {
            for (ThreadPoolExecutor lane : all) {
                if (!lane.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    lane.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Arrays.stream(all).forEach(ThreadPoolExecutor::shutdownNow);
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One lane: a single thread that runs what it is handed in order, and the windows it times
     * when they end. Delayed tasks still run after {@code shutdown()}, so a window open at undeploy
     * is flushed before the lane ends.
     */
    private static final class Lane extends ScheduledThreadPoolExecutor implements WriterThread {

        /** The lane's thread, set as it starts: a lane idle for a minute ends it and starts another later. */
        private volatile Thread thread;

        Lane(ThreadFactory threads) {
            super(1);
            setThreadFactory(task -> {
                Thread started = threads.newThread(task);
                thread = started;
                return started;
            });
            setKeepAliveTime(1, TimeUnit.MINUTES);
            allowCoreThreadTimeOut(true);
        }

        @Override
        public void executeAfter(Runnable task, long delayMicros) {
            schedule(task, delayMicros, TimeUnit.MICROSECONDS);
        }

        @Override
        public boolean isCurrent() {
            return Thread.currentThread() == thread;
        }

        /**
         * Logs what a task threw. A scheduled executor keeps it in the task's future, which nobody
         * reads, where a plain pool's thread would have died printing it: the lane says it instead, and runs on.
         */
        @Override
        protected void afterExecute(Runnable task, Throwable thrown) {
            Throwable failure = thrown;
            if (failure == null && task instanceof Future<?> done && done.isDone() && !done.isCancelled()) {
                try {
                    done.get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failure != null) {
                LOG.log(Level.WARNING, "A send lane's task failed; the lane goes on", failure);
            }
        }
    }
}
