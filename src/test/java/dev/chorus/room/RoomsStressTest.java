package dev.chorus.room;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.protocol.Resume;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import dev.chorus.testsupport.StressLoops;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many threads joining, leaving, broadcasting and failing in the same rooms at once. Stable
 * members stay for the whole run and must receive every message sent in their room by anyone
 * else, exactly once and in per-sender order; churning members must see each sender's messages
 * without gap or repeat while they are in; failing members must be evicted and never written to
 * again; and when everyone has left, the registry must be empty.
 */
class RoomsStressTest {

    private static final Logger LOG = Logger.getLogger(RoomsStressTest.class.getName());

    private static final String[] ROOMS = {"red", "green", "blue"};
    private static final int STABLE_THREADS = 12;
    private static final int CHURN_THREADS = 14;
    private static final int FAILING_THREADS = 10;
    private static final int LAGGING_THREADS = 2;
    /** One per room, so that each publisher's texts ({@code publisherN:seq}) keep their order in its room. */
    private static final int PUBLISHING_THREADS = 3;
    private static final int MAX_POSTS_PER_PUBLISHER = 5_000;
    /** Each frame a lagging peer completes waits this long: it falls behind any sender here. */
    private static final long LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Duration RUN_FOR = Duration.ofSeconds(4);
    /** Bounds each sender whatever the machine's speed, so the run ends by count or by time. */
    private static final int MAX_MESSAGES_PER_STABLE_SENDER = 20_000;
    private static final int MAX_CHURN_CYCLES = 50_000;

    /**
     * Bounded outboxes. Stable members complete their sends inline, but one thread drains each
     * while twelve broadcast into it, so under this load even they queue a few thousand frames
     * (the default bound of 1,024 dropped some); lagging members, at a frame a millisecond, pass
     * this bound within seconds and must be dropped without a gap before the drop.
     */
    private static final ChatSettings BOUNDED =
            Settings.defaultsWith(new ChatSettings.Outbound(16_384, Long.MAX_VALUE, 10));
    private final Rooms registry = new Rooms(BOUNDED, new ChatMetrics(), Clocks.SYSTEM);
    private final ExecutorService completions = Executors.newFixedThreadPool(4);
    private final ExecutorService lagging = Executors.newFixedThreadPool(2);

    /** Messages actually broadcast, per room: what each stable member of that room must get. */
    private final Map<String, AtomicLong> sentPerRoom = new ConcurrentHashMap<>();
    private final AtomicInteger churnCycles = new AtomicInteger();
    private final AtomicInteger failedPeers = new AtomicInteger();
    private final List<FakePeer> failingPeers = new CopyOnWriteArrayList<>();
    private final List<FakePeer> churnPeers = new CopyOnWriteArrayList<>();
    private final Set<FakePeer> leftBeforeFailing = ConcurrentHashMap.newKeySet();
    private final List<FakePeer> laggingPeers = new CopyOnWriteArrayList<>();
    private final AtomicInteger laggardsDropped = new AtomicInteger();

    @AfterEach
    void stop() {
        completions.shutdownNow();
        lagging.shutdownNow();
    }

    @Test
    void joinLeaveBroadcastAndFailAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), this::run, "deadlock or livelock");
    }

    private void run() throws Exception {
        for (String room : ROOMS) {
            sentPerRoom.put(room, new AtomicLong());
        }
        List<FakePeer> stablePeers = new ArrayList<>();
        List<Member> stableMembers = new ArrayList<>();
        for (int i = 0; i < STABLE_THREADS; i++) {
            String room = ROOMS[i % ROOMS.length];
            FakePeer peer = i % 2 == 0 ? FakePeer.inline("stable" + i) : FakePeer.inline("stable" + i).writingRuns();
            stablePeers.add(peer.countOnly());
            stableMembers.add(join(room, peer));
        }

        StressLoops loops = new StressLoops(RUN_FOR);
        loops.add(STABLE_THREADS, MAX_MESSAGES_PER_STABLE_SENDER, (thread, seq) -> {
            Member member = stableMembers.get(thread);
            registry.publish(member, stablePeers.get(thread).name() + ":" + seq);
            sentPerRoom.get(member.roomName()).incrementAndGet();
        });
        loops.add(CHURN_THREADS, MAX_CHURN_CYCLES, (thread, cycle) -> churn("churn" + thread + "." + cycle));
        // The application publishing among the members' messages: one numbering, every member the same order.
        loops.add(PUBLISHING_THREADS, MAX_POSTS_PER_PUBLISHER, (thread, seq) -> {
            String room = ROOMS[thread];
            registry.post(room, "publisher" + thread, "publisher" + thread + ":" + seq);
            sentPerRoom.get(room).incrementAndGet();
        });
        loops.add(FAILING_THREADS, Integer.MAX_VALUE,
                (thread, cycle) -> joinAndFail("failing" + thread + "." + cycle, loops.deadline()));
        loops.add(LAGGING_THREADS, Integer.MAX_VALUE, (thread, cycle) -> joinAndLag("lagging" + thread + "." + cycle, thread));
        loops.run(Duration.ofSeconds(30));

        // Each peer checks that message and ack ids arrive without gap or repeat, so a stable member
        // that received as many as were sent in its room got every one exactly once, in order.
        for (int i = 0; i < STABLE_THREADS; i++) {
            FakePeer peer = stablePeers.get(i);
            long sentInRoom = sentPerRoom.get(stableMembers.get(i).roomName()).get();
            assertNull(peer.closedWith(), peer + " was dropped although healthy");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> peer.messagesAndAcks() >= sentInRoom);
            assertEquals(0, peer.violations(), peer + ": overlapping sends, repeats or disorder");
            assertEquals(sentInRoom, peer.messagesAndAcks(), peer + " missed or repeated messages");
            assertNull(peer.closedWith(), peer + " was dropped although healthy");
        }
        for (FakePeer peer : churnPeers) {
            assertEquals(0, peer.violations(), peer + ": overlapping sends, repeats or per-sender disorder");
        }
        // A failing member that left before its send failed was not evicted: its socket is the
        // container's to close. Every other one must have been closed by the registry.
        await().atMost(Duration.ofSeconds(30)).until(() -> failingPeers.stream()
                .allMatch(peer -> !peer.failed() || leftBeforeFailing.contains(peer) || peer.closedWith() != null));
        for (FakePeer peer : failingPeers) {
            assertEquals(0, peer.violations(), peer + " was written to after it failed or was closed");
        }
        // A lagging member sees every message up to the one its queue refused, and nothing after:
        // the peer counts a gap in the ids, and any send after the close, as a violation.
        for (FakePeer peer : laggingPeers) {
            assertEquals(0, peer.violations(), peer + ": a gap before its drop, or a frame after it");
        }

        stableMembers.forEach(registry::leave);
        assertEquals(0, registry.members(), "members leaked");
        assertEquals(0, registry.rooms(), "rooms leaked");
        assertEquals(0, registry.users(), "users leaked: a call to one of them would find a departed member");
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.outboundBudget().used() == 0);

        long total = sentPerRoom.values().stream().mapToLong(AtomicLong::get).sum();
        LOG.info(() -> String.format(
                "stress: %d threads for %d s: %d broadcasts, %d join/broadcast/leave cycles,"
                        + " %d failing members evicted, %d lagging members dropped for a full queue",
                STABLE_THREADS + CHURN_THREADS + FAILING_THREADS + LAGGING_THREADS + PUBLISHING_THREADS, RUN_FOR.toSeconds(), total,
                churnCycles.get(), failedPeers.get(), laggardsDropped.get()));
        assertTrue(failedPeers.get() > 0, "no failure was exercised");
        assertTrue(laggardsDropped.get() > 0, "no queue overflowed");
        assertTrue(churnCycles.get() > 0, "no churn was exercised");
    }

    /** Joins, sends a few messages (counted as sent by the room), and leaves. */
    private void churn(String name) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String room = ROOMS[random.nextInt(ROOMS.length)];
        FakePeer peer = (random.nextBoolean() ? FakePeer.inline(name) : FakePeer.async(name, completions)).countOnly();
        if (random.nextBoolean()) {
            // As on Tyrus: a backlog goes out in one write.
            peer.writingRuns();
        }
        if (random.nextInt(100) == 0) {
            churnPeers.add(peer);
        }
        Member member = join(room, peer);
        int messages = random.nextInt(3);
        for (int seq = 0; seq < messages; seq++) {
            registry.publish(member, name + ":" + seq);
            sentPerRoom.get(room).incrementAndGet();
        }
        registry.leave(member);
        churnCycles.incrementAndGet();
    }

    /**
     * Joins with a peer whose n-th send fails and waits until the registry has evicted it; if the
     * run ends before anyone sent it enough, leaves instead.
     */
    private void joinAndFail(String name, long deadline) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        FakePeer peer = FakePeer.failingOnSend(name, completions, 1 + random.nextInt(5)).countOnly();
        if (random.nextBoolean()) {
            peer.writingRuns();
        }
        failingPeers.add(peer);
        Member member = join(ROOMS[random.nextInt(ROOMS.length)], peer);
        if (peer.awaitClose(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
            failedPeers.incrementAndGet();
        } else {
            leftBeforeFailing.add(peer);
            registry.leave(member);
        }
    }

    /**
     * In a room of its own, a sender broadcasts as fast as it can to a peer whose sends complete
     * late, one at a time, until the peer's queue overflows and the registry drops it (1013), the
     * peer's completions racing the broadcasts all along.
     */
    private void joinAndLag(String name, int thread) {
        String room = "lag" + thread;
        FakePeer peer = FakePeer.async(name, task -> lagging.execute(() -> {
            LockSupport.parkNanos(LAG_NANOS);
            task.run();
        })).countOnly();
        laggingPeers.add(peer);
        Member sender = join(room, FakePeer.inline(name + "-sender").countOnly());
        join(room, peer);
        for (int seq = 0; seq < 2 * BOUNDED.outbound().maxMessages() && peer.closedWith() == null; seq++) {
            registry.publish(sender, sender.name() + ":" + seq);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> peer.closedWith() != null);
        assertEquals(CloseCodes.TRY_AGAIN_LATER, peer.closedWith().getCloseCode(), peer.closedWith().toString());
        laggardsDropped.incrementAndGet();
        registry.leave(sender);
    }

    private Member join(String room, FakePeer peer) {
        return registry.join(room, peer.name(), Resume.FRESH, peer);
    }
}
