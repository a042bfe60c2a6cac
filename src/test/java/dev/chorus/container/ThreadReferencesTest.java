package dev.chorus.container;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An undeployed application's class loader, taken out of the idle pool threads that kept it. */
class ThreadReferencesTest {

    private final ClassLoader application = new URLClassLoader(new URL[0], getClass().getClassLoader());
    private final AtomicReference<Thread> pooled = new AtomicReference<>();
    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), task -> {
        Thread thread = new Thread(task, "pool");
        thread.setContextClassLoader(application);
        pooled.set(thread);
        return thread;
    });
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void anIdlePoolThreadGetsTheParentLoader() {
        pool.execute(() -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> pooled.get() != null && ThreadReferences.isIdleInPool(pooled.get()));

        assertEquals(1, ThreadReferences.release(application));

        assertSame(application.getParent(), pooled.get().getContextClassLoader());
    }

    @Test
    void aThreadAtWorkIsLeftAlone() {
        CountDownLatch working = new CountDownLatch(1);
        pool.execute(() -> {
            working.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> working.getCount() == 0);

        assertEquals(0, ThreadReferences.release(application));

        assertSame(application, pooled.get().getContextClassLoader());
    }

    @Test
    void aWildFlyWorkerWaitingForItsNextTaskIsIdle() {
        StackTraceElement[] waiting = {
            frame("jdk.internal.misc.Unsafe", "park"),
            frame("java.util.concurrent.locks.LockSupport", "park"),
            frame(ThreadReferences.JBOSS_POOL_THREAD, "park"),
            frame("org.jboss.threads.EnhancedQueueExecutor", "runThreadBody"),
            frame("org.jboss.threads.EnhancedQueueExecutor$ThreadBody", "run"),
            frame("java.lang.Thread", "run"),
        };

        assertTrue(ThreadReferences.isIdleInPool(waiting));
    }

    @Test
    void aWildFlyWorkerRunningATaskIsNot() {
        StackTraceElement[] working = {
            frame("dev.chorus.edge.ChatEndpoint", "onMessage"),
            frame("io.undertow.server.HttpServerExchange$1", "run"),
            frame("org.jboss.threads.EnhancedQueueExecutor$Task", "run"),
            frame("org.jboss.threads.EnhancedQueueExecutor", "runThreadBody"),
            frame("org.jboss.threads.EnhancedQueueExecutor$ThreadBody", "run"),
            frame("java.lang.Thread", "run"),
        };

        assertFalse(ThreadReferences.isIdleInPool(working));
    }

    private static StackTraceElement frame(String className, String method) {
        return new StackTraceElement(className, method, null, -1);
    }
}
