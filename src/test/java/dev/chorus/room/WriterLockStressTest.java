package dev.chorus.room;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.Resume;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import dev.chorus.testsupport.StressLoops;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Containers call back into Chorus while holding a connection's writer lock: Tyrus runs a send's
 * completion inline under it, failed or not, and reports a close that a write of its own caused (a
 * pong, a close echo) the same way. Members whose sends fail and whose container writes fail, all
 * at once in one room while others broadcast into it, must never leave two threads each holding one
 * writer and waiting for the other's; every failed member must be closed, and the registry must end
 * empty. A send's completion must write to, close and evict no other member: a failed send only
 * marks its outbox, and its member leaves elsewhere, together with the members that leave overflowed.
 */
class WriterLockStressTest {

    private static final int ROOMS = 2;
    private static final int SENDERS = 4;
    private static final int LEAVERS = 8;
    private static final int SPILLERS = 2;
    private static final Duration RUN_FOR = Duration.ofSeconds(3);
    private static final int MAX_CYCLES_PER_LEAVER = 20_000;
    private static final int MAX_MESSAGES_PER_SENDER = 50_000;
    private static final int MAX_CYCLES_PER_SPILLER = 2_000;
    /** How many of the calls made inside another connection's send the test keeps, to name them. */
    private static final int KEPT_WRONG_THREAD_CALLS = 10;

    /** What a thread did to a connection, or to the registry, while inside another connection's send. */
    private final List<String> insideAnotherSend = new CopyOnWriteArrayList<>();
    private final Rooms registry = registry(16_384, new ChatMetrics());
    /**
     * Rooms whose members take two frames at most, for the overflow path: a laggard's queue
     * overflows on the leave event of a member whose send failed.
     */
    private final ChatMetrics spillMetrics = new ChatMetrics();
    private final Rooms spillRegistry = registry(2, spillMetrics);
    private final List<WriterLocked> leavers = new CopyOnWriteArrayList<>();
    private final AtomicInteger failedSends = new AtomicInteger();
    private final AtomicInteger failedOwnWrites = new AtomicInteger();

    @Test
    void leavesReportedUnderWriterLocksNeverDeadlock() throws Exception {
        List<Member> senders = new ArrayList<>();
        List<WriterLocked> senderPeers = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            WriterLocked peer = new WriterLocked(FakePeer.inline("sender" + i).countOnly());
            senderPeers.add(peer);
            senders.add(join(registry, "room" + i % ROOMS, peer));
        }
        new StressLoops(RUN_FOR)
                .add(SENDERS, MAX_MESSAGES_PER_SENDER, (thread, seq) -> {
                    Member sender = senders.get(thread);
                    registry.publish(sender, sender.name() + ":" + seq);
                })
                .add(LEAVERS, MAX_CYCLES_PER_LEAVER,
                        (thread, cycle) -> joinAndFail("leaver" + thread + "." + cycle, "room" + cycle % ROOMS))
                .add(SPILLERS, MAX_CYCLES_PER_SPILLER, (thread, cycle) -> overflowOnLeave("spill" + thread, cycle))
                .run(Duration.ofSeconds(30));

        assertTrue(insideAnotherSend.isEmpty(), "inside another connection's send completion: " + insideAnotherSend);
        // A failed member leaves, and is closed, off the thread that reported the failure.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (WriterLocked peer : leavers) {
                assertTrue(peer.fake.closes() > 0 || peer.reportedOwnClose, peer.fake + " failed but is neither closed nor gone");
            }
        });
        for (WriterLocked peer : leavers) {
            assertEquals(0, peer.fake.violations(), peer.fake + " was written to after it failed or was closed");
        }
        for (WriterLocked peer : senderPeers) {
            assertEquals(0, peer.fake.violations(), peer.fake + ": overlapping sends, repeats or disorder");
        }
        senders.forEach(registry::leave);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.members() == 0 && spillRegistry.members() == 0);
        assertEquals(0, registry.rooms(), "rooms leaked");
        assertEquals(0, spillRegistry.rooms(), "rooms leaked");
        assertTrue(failedSends.get() > 0 && failedOwnWrites.get() > 0,
                "not exercised: " + failedSends + " failed sends, " + failedOwnWrites + " failed container writes");
        assertTrue(spillMetrics.outboxOverflows() > 0, "no queue overflowed on a leave");
    }

    /**
     * Joins with a peer whose sends complete inline under its writer lock, then either lets its
     * n-th send fail (the registry drops it after the completion) or has the container's own
     * write to it fail and report the close, both under that lock.
     */
    private void joinAndFail(String name, String room) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean ownWriteFails = random.nextBoolean();
        FakePeer fake = ownWriteFails ? FakePeer.inline(name) : FakePeer.failingOnSend(name, Runnable::run, 1 + random.nextInt(3));
        WriterLocked peer = new WriterLocked(fake.countOnly());
        leavers.add(peer);
        Member member = join(registry, room, peer);
        if (ownWriteFails) {
            peer.failOwnWrite(() -> registry.leave(member));
            failedOwnWrites.incrementAndGet();
        } else if (fake.awaitClose(Duration.ofMillis(50))) {
            failedSends.incrementAndGet();
        } else {
            // Nobody sent it enough in time: the client closes instead.
            peer.failOwnWrite(() -> registry.leave(member));
        }
    }

    /**
     * In a room of its own: a laggard whose welcome never completes, a healthy sender, and a member
     * whose second send fails inline. The sender's message fails that send; the failed member's
     * leave event is the laggard's third frame, over its bound of two, so the laggard is evicted.
     */
    private void overflowOnLeave(String room, int cycle) throws InterruptedException {
        Member sender = join(spillRegistry, room, new WriterLocked(FakePeer.inline("sender." + cycle).countOnly()));
        Member laggard = join(spillRegistry, room, new WriterLocked(FakePeer.async("laggard." + cycle, neverRun -> { })));
        FakePeer failing = FakePeer.failingOnSend("failing." + cycle, Runnable::run, 2);
        join(spillRegistry, room, new WriterLocked(failing));
        spillRegistry.publish(sender, "sender:" + cycle);
        assertTrue(failing.awaitClose(Duration.ofSeconds(10)), "a member whose send failed was not closed");
        spillRegistry.leave(laggard);
        spillRegistry.leave(sender);
    }

    /** Rooms whose members' queues hold {@code maxFrames}, and which note an eviction from inside a send. */
    private Rooms registry(int maxFrames, ChatMetrics metrics) {
        ChatSettings settings = Settings.defaultsWith(new ChatSettings.Outbound(maxFrames, Long.MAX_VALUE, 10));
        return new Rooms(settings, metrics, Clocks.SYSTEM) {
            @Override
            public void evict(Member member, CloseReason reason) {
                WriterLocked.noteIfInsideASend(insideAnotherSend, "evicted " + member);
                super.evict(member, reason);
            }
        };
    }

    private static Member join(Rooms rooms, String room, WriterLocked peer) {
        return rooms.join(room, peer.fake.name(), Resume.FRESH, peer);
    }

    /**
     * A peer that behaves as Tyrus' writer does: a send, its completion (run inline) and the close
     * all run holding this connection's lock. Notes what a thread does to it from inside the send
     * of another connection, which the lock rules forbid.
     */
    private final class WriterLocked implements Peer {

        /** The connection whose send (and inline completion) this thread is inside, if any. */
        private static final ThreadLocal<WriterLocked> SENDING = new ThreadLocal<>();

        final FakePeer fake;
        volatile boolean reportedOwnClose;

        WriterLocked(FakePeer fake) {
            this.fake = fake;
        }

        @Override
        public synchronized void send(String frame, SendHandler done) {
            noteIfInsideAnotherSend("sent to");
            WriterLocked outer = SENDING.get();
            SENDING.set(this);
            try {
                fake.send(frame, done);
            } finally {
                SENDING.set(outer);
            }
        }

        @Override
        public synchronized void ping() {
            noteIfInsideAnotherSend("pinged");
            fake.ping();
        }

        @Override
        public synchronized void close(CloseReason reason) {
            noteIfInsideAnotherSend("closed");
            fake.close(reason);
        }

        /** The container's own write to this connection fails, and it reports the close holding the lock. */
        synchronized void failOwnWrite(Runnable reportClose) {
            reportedOwnClose = true;
            reportClose.run();
        }

        private void noteIfInsideAnotherSend(String what) {
            WriterLocked sending = SENDING.get();
            if (sending != null && sending != this) {
                noteIfInsideASend(insideAnotherSend, what + " " + fake);
            }
        }

        /** Adds what was done to {@code notes} if this thread is inside a connection's send, naming both. */
        static void noteIfInsideASend(List<String> notes, String what) {
            WriterLocked sending = SENDING.get();
            if (sending != null && notes.size() < KEPT_WRONG_THREAD_CALLS) {
                notes.add(what + " inside the send to " + sending.fake + " on " + Thread.currentThread().getName());
            }
        }
    }
}
