package dev.chorus.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The departures' threads at undeploy: every departure runs exactly once, on a pool thread or,
 * once stopped, on the caller's; and the pool never makes a thread it does not start, which a
 * container's thread factory (WildFly's managed one lists every thread it made until it ends)
 * would keep, and the undeployed application with it, for the server's life.
 */
class DeparturesTest {

    private static final int ROUNDS = 200;
    private static final int SUBMITTERS = 4;

    @Test
    void departuresHandedOverWhileTheyStopAllRunOnceAndNoThreadIsLeftUnstarted() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            List<Thread> made = new CopyOnWriteArrayList<>();
            ThreadFactory base = Executors.defaultThreadFactory();
            // Takes a while to make a thread, as a container's factory does (it captures a context):
            // the time in which a stop could overtake the hand-over.
            ThreadFactory slow = task -> {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
                Thread thread = base.newThread(task);
                made.add(thread);
                return thread;
            };
            Departures departures = new Departures(() -> slow);
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            int perSubmitter = 20;
            Thread[] submitters = new Thread[SUBMITTERS];
            for (int i = 0; i < SUBMITTERS; i++) {
                submitters[i] = new Thread(() -> {
                    awaitQuietly(go);
                    for (int k = 0; k < perSubmitter; k++) {
                        departures.execute(ran::incrementAndGet);
                    }
                });
                submitters[i].start();
            }
            go.countDown();
            assertTrue(departures.stop(Duration.ofSeconds(5).toNanos()), "the departures' threads end");
            for (Thread submitter : submitters) {
                submitter.join(TimeUnit.SECONDS.toMillis(5));
            }

            assertEquals(SUBMITTERS * perSubmitter, ran.get(), "every departure ran once (round " + round + ")");
            for (Thread thread : made) {
                assertTrue(thread.getState() != Thread.State.NEW, "a thread was made and never started (round " + round + ")");
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
