package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TyrusIdleTimerFixTest {

    /** Stands for the container's managed executor: counts what reaches it. */
    private final ScheduledThreadPoolExecutor managed = new ScheduledThreadPoolExecutor(1);
    private final ScheduledExecutorService wrapped = TyrusIdleTimerFix.skippingImmediateTasks(managed);

    @AfterEach
    void stop() {
        managed.shutdownNow();
    }

    @Test
    void answersAnIdleTimeoutCheckWithNoTimeoutWithoutSchedulingIt() {
        AtomicInteger ran = new AtomicInteger();

        Runnable idleTimeoutCheck = ran::incrementAndGet;
        ScheduledFuture<?> future = wrapped.schedule(idleTimeoutCheck, 0, TimeUnit.MILLISECONDS);

        assertTrue(future.isDone());
        assertFalse(future.cancel(false), "Tyrus cancels the previous check before each reschedule");
        assertEquals(0, managed.getTaskCount(), "reached the container's executor");
        assertEquals(0, ran.get());
    }

    @Test
    void passesEveryRealScheduleToTheContainersExecutor() throws Exception {
        AtomicInteger ran = new AtomicInteger();

        ScheduledFuture<?> idleTimeout = wrapped.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS);
        idleTimeout.get(5, TimeUnit.SECONDS);
        ScheduledFuture<?> heartbeat = wrapped.scheduleAtFixedRate(ran::incrementAndGet, 1, 1, TimeUnit.HOURS);
        heartbeat.cancel(false);

        assertEquals(2, managed.getTaskCount());
        assertTrue(ran.get() >= 1);
        assertEquals(42, wrapped.submit(() -> 42).get(5, TimeUnit.SECONDS));
    }

    @Test
    void wrapsTheExecutorATyrusContainerHolds() {
        Workarounds workarounds = new Workarounds();
        TyrusContainer container = new TyrusContainer(managed);

        TyrusIdleTimerFix.skipImmediateSchedules(container, WebSocketImplementation.TYRUS, workarounds);

        assertTrue(container.managedScheduledExecutorService.schedule(() -> { }, 0, TimeUnit.SECONDS).isDone());
        assertEquals(0, managed.getTaskCount());
        assertTrue(workarounds.states().get("tyrus-idle-timer").active());
    }

    @Test
    void aTyrusContainerWithoutTheFieldIsAFallbackNamingIt() {
        Workarounds workarounds = new Workarounds();

        TyrusIdleTimerFix.skipImmediateSchedules(new Object(), WebSocketImplementation.TYRUS, workarounds);

        assertFalse(workarounds.states().get("tyrus-idle-timer").active());
        assertTrue(workarounds.states().get("tyrus-idle-timer").why().contains("managedScheduledExecutorService"));
    }

    /**
     * A JDK that refuses to write final fields (JEP 500's deny mode, as records' fields always
     * are): the container keeps its executor, and the fallback is reported instead of thrown.
     */
    @Test
    void aFinalFieldTheJdkRefusesToWriteIsAFallback() {
        Workarounds workarounds = new Workarounds();
        SealedTyrusContainer container = new SealedTyrusContainer(managed);

        TyrusIdleTimerFix.skipImmediateSchedules(container, WebSocketImplementation.TYRUS, workarounds);

        assertSame(managed, container.managedScheduledExecutorService());
        assertFalse(workarounds.states().get("tyrus-idle-timer").active());
    }

    /** Tyrus's {@code BaseContainer}, as far as the fix reaches into it. */
    private static final class TyrusContainer {
        ScheduledExecutorService managedScheduledExecutorService;

        TyrusContainer(ScheduledExecutorService managed) {
            managedScheduledExecutorService = managed;
        }
    }

    private record SealedTyrusContainer(ScheduledExecutorService managedScheduledExecutorService) {
    }
}
