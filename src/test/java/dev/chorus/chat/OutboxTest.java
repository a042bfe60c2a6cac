package dev.chorus.chat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.FakePeer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
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

    /** The monotonic time the outbox reads; tests move it by hand. */
    private long nanos;

    private Outbox bounded(FakePeer peer, int maxFrames, long maxChars) {
        return new Outbox(peer, maxFrames, maxChars, () -> nanos, failures::add);
    }

    private Outbox unbounded(FakePeer peer) {
        return bounded(peer, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** An outbox with a:0 in flight and a:1 queued behind it. */
    private Outbox sendingFirstOfTwo(FakePeer peer) {
        Outbox outbox = unbounded(peer);
        outbox.offer("a:0");
        outbox.offer("a:1");
        outbox.flush();
        return outbox;
    }

    private static void assertAccepted(Outbox.Offer offer, String... why) {
        assertEquals(Outbox.Offer.ACCEPTED, offer, String.join("", why));
    }

    private static void assertRefused(Outbox.Offer offer, String... why) {
        assertNotEquals(Outbox.Offer.ACCEPTED, offer, String.join("", why));
    }

    @AfterEach
    void stop() {
        completions.shutdownNow();
    }

    @Test
    void sendsQueuedFramesInOrderWhenSendsCompleteInline() {
        FakePeer peer = FakePeer.inline("inline");
        Outbox outbox = unbounded(peer);

        // Deep enough that recursing once per inline completion would overflow the stack.
        List<String> frames = IntStream.range(0, 100_000).mapToObj(i -> "a:" + i).toList();
        frames.forEach(outbox::offer);
        outbox.flush();

        assertEquals(frames, peer.rawFrames());
        assertEquals(0, peer.violations());
        assertTrue(failures.isEmpty());
    }

    @Test
    void keepsOneSendInFlightWhenSendsCompleteLaterOnOtherThreads() {
        FakePeer peer = FakePeer.async("async", completions);
        Outbox outbox = unbounded(peer);

        for (int i = 0; i < 5_000; i++) {
            outbox.offer("a:" + i);
            outbox.flush();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> peer.rawFrames().size() == 5_000);
        assertEquals(0, peer.violations(), "overlapping or out-of-order sends");
        assertEquals(0, outbox.queued());
    }

    @Test
    void concurrentFlushesFromManyThreadsNeverOverlapSends() throws Exception {
        FakePeer peer = FakePeer.async("async", completions);
        Outbox outbox = unbounded(peer);
        int senders = 8;
        int each = 2_000;

        Thread[] threads = new Thread[senders];
        for (int t = 0; t < senders; t++) {
            String sender = "s" + t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    outbox.offer(sender + ":" + i);
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
        Outbox outbox = unbounded(peer);

        for (int i = 0; i < 10; i++) {
            outbox.offer("a:" + i);
        }
        outbox.flush();

        await().atMost(Duration.ofSeconds(5)).until(() -> failures.size() == 1);
        assertEquals(List.of("a:0", "a:1"), peer.rawFrames());
        assertTrue(outbox.isClosed());
        assertRefused(outbox.offer("a:10"), "a failed outbox must refuse frames");
        outbox.flush();
        assertEquals(0, peer.violations(), "written to after the failure");
        assertEquals(1, failures.size());
    }

    @Test
    void closedOutboxDropsQueuedFramesAndRefusesNewOnes() {
        FakePeer peer = FakePeer.inline("closed");
        Outbox outbox = unbounded(peer);
        outbox.offer("a:0");

        outbox.close(null);
        outbox.flush();

        assertRefused(outbox.offer("a:1"));
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
        Outbox outbox = unbounded(peer);

        outbox.close(new CloseReason(CloseCodes.TRY_AGAIN_LATER, "first"));
        outbox.close(new CloseReason(CloseCodes.GOING_AWAY, "second"));

        assertEquals(CloseCodes.TRY_AGAIN_LATER, peer.closedWith().getCloseCode());
    }

    @Test
    void closeAfterQueuedSendsWhatIsQueuedThenClosesAndTakesNothingNew() {
        FakePeer peer = FakePeer.async("polite", pending::add);
        Outbox outbox = sendingFirstOfTwo(peer);

        outbox.closeAfterQueued(new CloseReason(CloseCodes.VIOLATED_POLICY, "rate limit exceeded"));
        assertRefused(outbox.offer("a:2"));
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
        Outbox byCount = bounded(peer, 2, Long.MAX_VALUE);
        assertAccepted(byCount.offer("a:0"));
        assertAccepted(byCount.offer("a:1"));
        assertRefused(byCount.offer("a:2"), "a third frame exceeds 2 queued");

        Outbox byChars = bounded(peer, Integer.MAX_VALUE, 10);
        assertAccepted(byChars.offer("x".repeat(100)), "an empty outbox takes a frame larger than its bound");
        assertRefused(byChars.offer("y"));

        Outbox draining = bounded(FakePeer.inline("keeps up"), Integer.MAX_VALUE, 10);
        assertAccepted(draining.offer("123456"));
        draining.flush();
        assertAccepted(draining.offer("123456"), "sent frames no longer count against the bound");
        assertEquals(1, draining.queued());
    }

    @Test
    void tellsHowLongTheSendInFlightHasBeenUnderWay() {
        FakePeer peer = FakePeer.async("slow", pending::add);
        nanos = 1_000;
        Outbox outbox = sendingFirstOfTwo(peer);

        assertEquals(4_000, outbox.sendingFor(5_000));
        pending.remove().run(); // a:0 done, a:1 starts at 1_000 too
        nanos = 7_000;
        pending.remove().run(); // a:1 done, nothing left

        assertEquals(0, outbox.sendingFor(9_000));
    }

    @Test
    void abortClosesAtOnceThoughASendIsInFlightAndNothingFollowsItsLateCompletion() {
        FakePeer peer = FakePeer.async("never reads", pending::add);
        Outbox outbox = sendingFirstOfTwo(peer);

        outbox.abort(new CloseReason(CloseCodes.TRY_AGAIN_LATER, "send timed out"));

        assertEquals(CloseCodes.TRY_AGAIN_LATER, peer.closedWith().getCloseCode());
        assertTrue(outbox.isFinished());
        assertEquals(0, outbox.queued(), "a:1 still queued");
        pending.remove().run(); // the stuck send ends after all, as the socket closes
        assertTrue(pending.isEmpty(), "a frame was sent after the abort");
        assertEquals(List.of("a:0"), peer.rawFrames());
        assertEquals(1, peer.closes());
    }

    @Test
    void abortKeepsTheReasonOfACloseAlreadyWaitingForTheSendInFlight() {
        FakePeer peer = FakePeer.async("never reads", pending::add);
        Outbox outbox = sendingFirstOfTwo(peer);
        outbox.close(new CloseReason(CloseCodes.TRY_AGAIN_LATER, "too slow: outbound queue full"));
        assertNull(peer.closedWith());

        outbox.abort(new CloseReason(CloseCodes.TRY_AGAIN_LATER, "send timed out"));

        assertEquals("too slow: outbound queue full", peer.closedWith().getReasonPhrase());
    }

    @Test
    void aRefusedFrameClosesTheOutboxAtOnceSoNoLaterFrameOvertakesIt() {
        FakePeer peer = FakePeer.async("behind", pending::add);
        Outbox outbox = bounded(peer, 2, Long.MAX_VALUE);
        outbox.offer("a:0");
        outbox.flush(); // a:0 in flight
        assertAccepted(outbox.offer("a:1"));
        assertAccepted(outbox.offer("a:2"));

        assertEquals(Outbox.Offer.OVERFLOWED, outbox.offer("a:3"));
        pending.remove().run(); // a:0 completes before anyone evicts the member
        assertRefused(outbox.offer("a:4"), "a frame after the refused one was taken");
        outbox.flush();

        assertEquals(List.of("a:0"), peer.rawFrames(), "a frame after the refused a:3 would let the client skip it");
        assertEquals("too slow: outbound queue full", peer.closedWith().getReasonPhrase());
        assertEquals(Outbox.Offer.CLOSED, outbox.offer("a:5"), "only one offer reports the overflow");
        assertEquals(0, outbox.queued());
    }

    @Test
    void aSendHandlerCalledTwiceCountsOnce() {
        List<String> sent = new ArrayList<>();
        Peer completesTwice = new Peer() {
            @Override
            public void send(String frame, SendHandler done) {
                sent.add(frame);
                done.onResult(new SendResult());
                done.onResult(new SendResult());
            }

            @Override
            public void ping() {
            }

            @Override
            public void close(CloseReason reason) {
            }
        };
        Outbox outbox = new Outbox(completesTwice, 10, 1_000, () -> nanos, failures::add);
        List.of("a:0", "a:1", "a:2").forEach(outbox::offer);

        outbox.flush();

        assertEquals(List.of("a:0", "a:1", "a:2"), sent);
    }

    @Test
    void abortWithNoSendInFlightClosesAtOnceAndSendsNothingMore() {
        FakePeer peer = FakePeer.async("idle", pending::add);
        Outbox outbox = unbounded(peer);

        outbox.abort(new CloseReason(CloseCodes.GOING_AWAY, "server shutting down"));
        assertRefused(outbox.offer("a:0"));
        outbox.flush();

        assertEquals(CloseCodes.GOING_AWAY, peer.closedWith().getCloseCode());
        assertTrue(pending.isEmpty(), "a frame was sent after the abort");
    }

    @Test
    void theContainerClosingTheSocketCancelsACloseThatWaitedToSendTheQueue() {
        FakePeer peer = FakePeer.async("gone", pending::add);
        Outbox outbox = sendingFirstOfTwo(peer);
        outbox.closeAfterQueued(new CloseReason(CloseCodes.VIOLATED_POLICY, "rate limit exceeded"));

        outbox.close(null); // @OnClose: the client went away meanwhile
        pending.remove().run();

        assertEquals(List.of("a:0"), peer.rawFrames(), "a:1 was sent to a socket the container had closed");
        assertNull(peer.closedWith(), "closed a socket the container had closed already");
        assertTrue(outbox.isFinished());
    }

    @Test
    void aClientThatTakesBatchesGetsItsBacklogInOneFrameOfLinesButNeverAPingInside() {
        FakePeer peer = FakePeer.async("batching", pending::add).batching();
        Outbox outbox = unbounded(peer);
        outbox.offer("a:0");
        outbox.flush(); // a:0 alone: nothing queued behind it yet
        List.of("a:1", "a:2", "a:3").forEach(outbox::offer);
        outbox.offer(Outbox.PING);
        outbox.offer("a:4");

        while (!pending.isEmpty()) {
            pending.remove().run();
        }

        assertEquals(List.of("a:0", "a:1", "a:2", "a:3", "a:4"), peer.rawFrames());
        assertEquals(3, peer.frames(), "a:0, then a:1 to a:3 as one frame; the ping in between, then a:4");
        assertEquals(1, peer.pings());
        assertEquals(0, outbox.queued());
        assertEquals(0, peer.violations());
    }

    @Test
    void aBatchStopsAtItsCharacterLimit() {
        FakePeer peer = FakePeer.async("batching", pending::add).batching();
        Outbox outbox = unbounded(peer);
        outbox.offer("a:0");
        outbox.flush();
        String quarter = "x".repeat(Outbox.MAX_BATCH_CHARS / 4);
        for (int i = 1; i <= 4; i++) {
            outbox.offer(quarter);
        }

        while (!pending.isEmpty()) {
            pending.remove().run();
        }

        assertEquals(3, peer.frames(), "a:0, three quarters with two line breaks, then the fourth, which would pass the limit");
        assertEquals(5, peer.rawFrames().size());
    }
}
