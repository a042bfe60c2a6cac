package dev.chorus.chat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.FakePeer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private final ExecutorService completions = Executors.newFixedThreadPool(4);
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    /** Completions of sends by peers that complete only when the test runs them. */
    private final Queue<Runnable> pending = new ArrayDeque<>();

    /** An outbox with a:0 in flight and a:1 queued behind it. */
    private Outbox sendingFirstOfTwo(FakePeer peer) {
        Outbox outbox = new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, failures::add);
        outbox.enqueue("a:0");
        outbox.enqueue("a:1");
        outbox.flush();
        return outbox;
    }

    @AfterEach
    void stop() {
        completions.shutdownNow();
    }

    @Test
    void sendsQueuedFramesInOrderWhenSendsCompleteInline() {
        FakePeer peer = FakePeer.inline("inline");
        Outbox outbox = new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, failures::add);

        // Deep enough that recursing once per inline completion would overflow the stack.
        List<String> frames = IntStream.range(0, 100_000).mapToObj(i -> "a:" + i).toList();
        frames.forEach(outbox::enqueue);
        outbox.flush();

        assertEquals(frames, peer.rawFrames());
        assertEquals(0, peer.violations());
        assertTrue(failures.isEmpty());
    }

    @Test
    void keepsOneSendInFlightWhenSendsCompleteLaterOnOtherThreads() {
        FakePeer peer = FakePeer.async("async", completions);
        Outbox outbox = new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, failures::add);

        for (int i = 0; i < 5_000; i++) {
            outbox.enqueue("a:" + i);
            outbox.flush();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> peer.rawFrames().size() == 5_000);
        assertEquals(0, peer.violations(), "overlapping or out-of-order sends");
        assertEquals(0, outbox.queued());
    }

    @Test
    void concurrentFlushesFromManyThreadsNeverOverlapSends() throws Exception {
        FakePeer peer = FakePeer.async("async", completions);
        Outbox outbox = new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, failures::add);
        int senders = 8;
        int each = 2_000;

        Thread[] threads = new Thread[senders];
        for (int t = 0; t < senders; t++) {
            String sender = "s" + t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    outbox.enqueue(sender + ":" + i);
                    outbox.flush();
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> peer.rawFrames().size() == senders * each);
        assertEquals(0, peer.violations(), "overlapping or per-sender out-of-order sends");
    }

    @Test
    void failedSendReportsOnceAndStopsAllFurtherWrites() {
        FakePeer peer = FakePeer.failingOnSend("fails", completions, 3);
        Outbox outbox = new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, failures::add);

        for (int i = 0; i < 10; i++) {
            outbox.enqueue("a:" + i);
        }
        outbox.flush();

        await().atMost(Duration.ofSeconds(5)).until(() -> failures.size() == 1);
        assertEquals(List.of("a:0", "a:1"), peer.rawFrames());
        assertTrue(outbox.isClosed());
        assertFalse(outbox.enqueue("a:10"), "a failed outbox must refuse frames");
        outbox.flush();
        assertEquals(0, peer.violations(), "written to after the failure");
        assertEquals(1, failures.size());
    }

    @Test
    void closedOutboxDropsQueuedFramesAndRefusesNewOnes() {
        FakePeer peer = FakePeer.inline("closed");
        Outbox outbox = new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, failures::add);
        outbox.enqueue("a:0");

        outbox.close(null);
        outbox.flush();

        assertFalse(outbox.enqueue("a:1"));
        assertTrue(peer.rawFrames().isEmpty());
        assertNull(peer.closedWith(), "a close without reason leaves the socket to the container");
    }

    @Test
    void closeWaitsForTheSendInFlightAndNothingIsSentAfterIt() {
        FakePeer peer = FakePeer.async("held", pending::add);
        Outbox outbox = sendingFirstOfTwo(peer);

        outbox.close(new CloseReason(CloseCodes.GOING_AWAY, "bye"));
        assertNull(peer.closedWith(), "closed while a send was in flight");
        pending.remove().run();

        assertEquals(List.of("a:0"), peer.rawFrames());
        assertEquals(CloseCodes.GOING_AWAY, peer.closedWith().getCloseCode());
        assertTrue(pending.isEmpty(), "a frame was sent after the close");
        assertEquals(0, peer.violations());
    }

    @Test
    void closeWithNothingInFlightClosesAtOnceAndOnlyTheFirstCloseCounts() {
        FakePeer peer = FakePeer.inline("idle");
        Outbox outbox = new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, failures::add);

        outbox.close(new CloseReason(CloseCodes.TRY_AGAIN_LATER, "first"));
        outbox.close(new CloseReason(CloseCodes.GOING_AWAY, "second"));

        assertEquals(CloseCodes.TRY_AGAIN_LATER, peer.closedWith().getCloseCode());
    }

    @Test
    void closeAfterQueuedSendsWhatIsQueuedThenClosesAndTakesNothingNew() {
        FakePeer peer = FakePeer.async("polite", pending::add);
        Outbox outbox = sendingFirstOfTwo(peer);

        outbox.closeAfterQueued(new CloseReason(CloseCodes.VIOLATED_POLICY, "rate limit exceeded"));
        assertFalse(outbox.enqueue("a:2"));
        while (!pending.isEmpty()) {
            pending.remove().run();
        }

        assertEquals(List.of("a:0", "a:1"), peer.rawFrames());
        assertEquals(CloseCodes.VIOLATED_POLICY, peer.closedWith().getCloseCode());
        assertEquals(0, peer.violations());
    }

    @Test
    void refusesFramesBeyondItsBoundsButAnEmptyOutboxTakesAnyFrame() {
        FakePeer peer = FakePeer.async("behind", new ArrayDeque<Runnable>()::add);
        Outbox byCount = new Outbox(peer, 2, Long.MAX_VALUE, failures::add);
        assertTrue(byCount.enqueue("a:0"));
        assertTrue(byCount.enqueue("a:1"));
        assertFalse(byCount.enqueue("a:2"), "a third frame exceeds 2 queued");

        Outbox byChars = new Outbox(peer, Integer.MAX_VALUE, 10, failures::add);
        assertTrue(byChars.enqueue("x".repeat(100)), "an empty outbox takes a frame larger than its bound");
        assertFalse(byChars.enqueue("y"));

        Outbox draining = new Outbox(FakePeer.inline("keeps up"), Integer.MAX_VALUE, 10, failures::add);
        assertTrue(draining.enqueue("123456"));
        draining.flush();
        assertTrue(draining.enqueue("123456"), "sent frames no longer count against the bound");
        assertEquals(1, draining.queued());
    }
}
