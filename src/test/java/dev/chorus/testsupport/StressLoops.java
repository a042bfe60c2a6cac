package dev.chorus.testsupport;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The loops of a stress test, each on a thread of its own: all start at once, and each stops at
 * its own count or at the run's deadline, whichever comes first, so a run ends by itself on any
 * machine. A run that has not ended a grace period after its deadline fails, naming the threads
 * the JVM finds deadlocked, if any; those threads are daemons, so they cannot keep the JVM alive.
 */
public final class StressLoops {

    /** One step of a loop: which of its kind the thread is, and which cycle this is. */
    @FunctionalInterface
    public interface Step {
        void run(int thread, int cycle) throws Exception;
    }

    private final Duration runFor;
    private final List<Callable<Void>> loops = new ArrayList<>();
    private final CountDownLatch start = new CountDownLatch(1);
    private volatile long deadline;

    public StressLoops(Duration runFor) {
        this.runFor = runFor;
    }

    /** Adds {@code threads} loops of at most {@code maxCycles} steps each. */
    public StressLoops add(int threads, int maxCycles, Step step) {
        for (int i = 0; i < threads; i++) {
            int thread = i;
            loops.add(() -> {
                start.await();
                for (int cycle = 0; cycle < maxCycles && System.nanoTime() < deadline; cycle++) {
                    step.run(thread, cycle);
                }
                return null;
            });
        }
        return this;
    }

    /** When the loops stop starting new steps, in {@link System#nanoTime} terms; set by {@link #run}. */
    public long deadline() {
        return deadline;
    }

    /** Runs every loop at once and waits for them all; a loop that threw fails the run with its cause. */
    public void run(Duration grace) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(loops.size(), task -> {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            return thread;
        });
        try {
            deadline = System.nanoTime() + runFor.toNanos();
            List<Future<Void>> running = loops.stream().map(threads::submit).toList();
            start.countDown();
            long until = deadline + grace.toNanos();
            for (Future<Void> loop : running) {
                try {
                    loop.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("the run did not end " + grace.toSeconds() + " s after its deadline: "
                            + deadlocked());
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static String deadlocked() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] stuck = threads.findDeadlockedThreads();
        return stuck == null ? "no deadlock found (livelock, or a wait without end)" : "deadlock\n"
                + Arrays.stream(threads.getThreadInfo(stuck, true, true)).map(ThreadInfo::toString).collect(Collectors.joining());
    }
}
