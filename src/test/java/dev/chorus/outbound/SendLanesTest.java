package dev.chorus.outbound;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.room.Member;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SendLanesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);
    private final CountDownLatch released = new CountDownLatch(1);
    private SendLanes lanes;

    @AfterEach
    void stopLanes() {
        lanes.stop();
    }

    @Test
    void connectionsTakeTheLanesInTurn() {
        lanes = new SendLanes(2, 0);

        Executor first = lanes.assign();
        Executor second = lanes.assign();

        assertNotSame(first, second);
        assertSame(first, lanes.assign());
        assertSame(second, lanes.assign());
    }

    @Test
    void asManyLanesAsTheSettingsSayOrOnePerCoreAndTwoAtLeast() {
        lanes = new SendLanes(Settings.defaultsWith(new ChatSettings.Outbound(1024, 1_048_576, 10, 3)));
        assertEquals(3, distinctLanes(lanes));
        lanes.stop();

        lanes = new SendLanes(ChatSettings.DEFAULTS);
        assertEquals(Math.max(2, Runtime.getRuntime().availableProcessors()), distinctLanes(lanes));
    }

    /** How many different lanes connections are given, over a few rounds of turns. */
    private static int distinctLanes(SendLanes lanes) {
        Set<Executor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 64; i++) {
            seen.add(lanes.assign());
        }
        return seen.size();
    }

    @Test
    void broadcastsThatQueueWhileTheLaneIsBusyReachEachMemberInOneWrite() throws Exception {
        lanes = new SendLanes(1, 0);
        Member alice = chat.join("lobby", FakePeer.inline("alice").writingRuns());
        List<FakePeer> members = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            FakePeer member = FakePeer.inline("m" + i).writingRuns().writingOn(lanes.assign());
            members.add(member);
            chat.join("lobby", member);
        }
        String laneThread = hold(lanes.assign()).call();
        List<Integer> writesBefore = members.stream().map(FakePeer::writes).toList();

        for (int i = 1; i <= 5; i++) {
            chat.rooms.publish(alice, "alice:" + i);
        }
        release();

        await().atMost(WAIT).until(() -> members.stream().allMatch(member -> member.events("message").size() == 5));
        for (int i = 0; i < members.size(); i++) {
            FakePeer member = members.get(i);
            assertEquals(1, member.writes() - writesBefore.get(i), member + ": five messages, one write");
            assertEquals(Set.of(laneThread), member.sendThreads(), member + " was written off its lane");
            assertEquals(0, member.violations(), member + " saw frames out of order or overlapping");
        }
    }

    @Test
    void afterTheLanesStopABroadcastIsWrittenFromTheBroadcastingThread() {
        lanes = new SendLanes(1, 0);
        Member alice = chat.join("lobby", FakePeer.inline("alice").writingRuns());
        FakePeer bob = FakePeer.inline("bob").writingRuns().writingOn(lanes.assign());
        chat.join("lobby", bob);
        await().atMost(WAIT).until(() -> !bob.events("welcome").isEmpty());

        lanes.stop();
        chat.rooms.publish(alice, "alice:1");

        assertEquals(1, bob.events("message").size(), "the message was lost with the lanes");
        assertTrue(bob.sendThreads().contains(Thread.currentThread().getName()));
    }

    @Test
    void batchesWaitTheSettingsDelayTimedByTheMembersLaneAndGoOutAtOnceOnceTheLanesStop() {
        assertNull(new SendLanes(1, 0).batchWindow(), "no delay, no window: events go out when queued");
        lanes = new SendLanes(Settings.defaultsWith(new ChatSettings.Outbound(1024, 1_048_576, 10, 1, 50)));
        List<String> started = new CopyOnWriteArrayList<>();
        lanes.threads = new RecordingThreads(started);
        Member alice = chat.join("lobby", FakePeer.inline("alice"));
        FakePeer bob = FakePeer.inline("bob").batchingWithin(lanes.batchWindow()).writingOn(lanes.assign());
        chat.join("lobby", bob);
        await().atMost(WAIT).until(() -> !bob.events("welcome").isEmpty());
        int writesBefore = bob.writes();

        long start = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            chat.rooms.publish(alice, "alice:" + i);
        }
        await().atMost(WAIT).until(() -> bob.events("message").size() == 3);

        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "sent before the window ended");
        assertEquals(1, bob.writes() - writesBefore, "three messages, one write");
        assertEquals(1, started.size(), "the lane timed the windows; no timer thread woke to hand them over: " + started);
        assertEquals(Set.copyOf(started), bob.sendThreads());
        lanes.stop();
        chat.rooms.publish(alice, "alice:4");
        assertEquals(4, bob.events("message").size(), "after the stop a batch goes out at once, from the broadcasting thread");
    }

    @Test
    void aWriterThatCannotTimeWindowsHasThemTimedOnATimerThatHandsTheFlushToIt() {
        lanes = new SendLanes(Settings.defaultsWith(new ChatSettings.Outbound(1024, 1_048_576, 10, 1, 20)));
        List<String> started = new CopyOnWriteArrayList<>();
        lanes.threads = new RecordingThreads(started);
        ExecutorService ioThread = Executors.newSingleThreadExecutor(task -> new Thread(task, "io-thread"));
        try {
            Member alice = chat.join("lobby", FakePeer.inline("alice"));
            FakePeer bob = FakePeer.inline("bob").batchingWithin(lanes.batchWindow()).writingOn(ioThread);
            chat.join("lobby", bob);
            chat.rooms.publish(alice, "alice:1");

            await().atMost(WAIT).until(() -> bob.events("message").size() == 1);
            assertEquals(1, started.size(), "one timer thread: " + started);
            assertEquals(Set.of("io-thread"), bob.sendThreads());
        } finally {
            ioThread.shutdownNow();
        }
    }

    @Test
    void aTaskThatThrowsIsLoggedAndTheLaneGoesOn() throws Exception {
        lanes = new SendLanes(1, 0);
        Logger log = Logger.getLogger(SendLanes.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler recording = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(recording);
        try {
            Executor lane = lanes.assign();
            lane.execute(() -> {
                throw new IllegalStateException("a fault in a send");
            });
            CountDownLatch after = new CountDownLatch(1);
            lane.execute(after::countDown);

            assertTrue(after.await(5, TimeUnit.SECONDS), "the lane stopped after a task threw");
            await().atMost(WAIT).until(() -> records.stream().anyMatch(record -> record.getLevel() == Level.WARNING
                    && record.getThrown() instanceof IllegalStateException thrown && thrown.getMessage().equals("a fault in a send")));
        } finally {
            log.removeHandler(recording);
        }
    }

    /** The container's thread factory as the lanes see it, recording the name of each thread it starts. */
    private static final class RecordingThreads implements ManagedThreadFactory {
        private final List<String> started;
        private final AtomicInteger count = new AtomicInteger();

        RecordingThreads(List<String> started) {
            this.started = started;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "recorded-" + count.incrementAndGet());
            started.add(thread.getName());
            return thread;
        }

        @Override
        public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
            throw new UnsupportedOperationException("the lanes start plain threads");
        }
    }

    /** Occupies the lane until {@link #release}; the call returns the lane's thread name once it is held. */
    private Callable<String> hold(Executor lane) {
        CountDownLatch held = new CountDownLatch(1);
        AtomicReference<String> thread = new AtomicReference<>();
        lane.execute(() -> {
            thread.set(Thread.currentThread().getName());
            held.countDown();
            try {
                released.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return () -> {
            assertTrue(held.await(5, TimeUnit.SECONDS), "the lane never came free");
            return thread.get();
        };
    }

    private void release() {
        released.countDown();
    }
}
