package dev.chorus.room;

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
 * pong, a close echo) the same way. The leave that follows flushes the other members, taking their
 * writer locks. Members whose sends fail and whose container writes fail, all at once in one room
 * while others broadcast into it, must never leave two threads each holding one writer and waiting
 * for the other's; every failed member must be closed, and the registry must end empty.
 */
class WriterLockStressTest {

    private static final int ROOMS = 2;
    private static final int SENDERS = 4;
    private static final int LEAVERS = 8;
    private static final Duration RUN_FOR = Duration.ofSeconds(3);
    private static final int MAX_CYCLES_PER_LEAVER = 20_000;
    private static final int MAX_MESSAGES_PER_SENDER = 50_000;

    private final Rooms registry = new Rooms(
            Settings.defaultsWith(new ChatSettings.Outbound(16_384, Long.MAX_VALUE, 10)), new ChatMetrics(), Clocks.SYSTEM);
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
            senders.add(join("room" + i % ROOMS, peer));
        }
        new StressLoops(RUN_FOR)
                .add(SENDERS, MAX_MESSAGES_PER_SENDER, (thread, seq) -> {
                    Member sender = senders.get(thread);
                    registry.publish(sender, sender.name() + ":" + seq);
                })
                .add(LEAVERS, MAX_CYCLES_PER_LEAVER,
                        (thread, cycle) -> joinAndFail("leaver" + thread + "." + cycle, "room" + cycle % ROOMS))
                .run(Duration.ofSeconds(30));

        for (WriterLocked peer : leavers) {
            assertEquals(0, peer.fake.violations(), peer.fake + " was written to after it failed or was closed");
            assertTrue(peer.fake.closes() > 0 || peer.reportedOwnClose, peer.fake + " failed but is neither closed nor gone");
        }
        for (WriterLocked peer : senderPeers) {
            assertEquals(0, peer.fake.violations(), peer.fake + ": overlapping sends, repeats or disorder");
        }
        senders.forEach(registry::leave);
        assertEquals(0, registry.members(), "members leaked");
        assertEquals(0, registry.rooms(), "rooms leaked");
        assertTrue(failedSends.get() > 0 && failedOwnWrites.get() > 0,
                "not exercised: " + failedSends + " failed sends, " + failedOwnWrites + " failed container writes");
    }

    /**
     * Joins with a peer whose sends complete inline under its writer lock, then either lets its
     * n-th send fail (the registry drops it from inside the completion) or has the container's own
     * write to it fail and report the close, both under that lock.
     */
    private void joinAndFail(String name, String room) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean ownWriteFails = random.nextBoolean();
        FakePeer fake = ownWriteFails ? FakePeer.inline(name) : FakePeer.failingOnSend(name, Runnable::run, 1 + random.nextInt(3));
        WriterLocked peer = new WriterLocked(fake.countOnly());
        leavers.add(peer);
        Member member = join(room, peer);
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

    private Member join(String room, WriterLocked peer) {
        return registry.join(room, peer.fake.name(), Resume.FRESH, peer);
    }

    /**
     * A peer that behaves as Tyrus' writer does: a send, its completion (run inline) and the close
     * all run holding this connection's lock.
     */
    private static final class WriterLocked implements Peer {

        final FakePeer fake;
        volatile boolean reportedOwnClose;

        WriterLocked(FakePeer fake) {
            this.fake = fake;
        }

        @Override
        public synchronized void send(String frame, SendHandler done) {
            fake.send(frame, done);
        }

        @Override
        public synchronized void ping() {
            fake.ping();
        }

        @Override
        public synchronized void close(CloseReason reason) {
            fake.close(reason);
        }

        /** The container's own write to this connection fails, and it reports the close holding the lock. */
        synchronized void failOwnWrite(Runnable reportClose) {
            reportedOwnClose = true;
            reportClose.run();
        }
    }
}
