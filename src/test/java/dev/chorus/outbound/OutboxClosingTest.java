package dev.chorus.outbound;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.FakePeer;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How an outbox ends: closes, aborts and overflows, and nothing sent after any of them. */
class OutboxClosingTest extends OutboxTestSupport {

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
    void abortClosesAtOnceThoughASendIsInFlightAndNothingFollowsItsLateCompletion() {
        FakePeer peer = FakePeer.async("never reads", pending::add);
        Outbox outbox = sendingFirstOfTwo(peer);

        outbox.abort(new CloseReason(CloseCodes.TRY_AGAIN_LATER, "send timed out"));

        assertEquals(CloseCodes.TRY_AGAIN_LATER, peer.closedWith().getCloseCode());
        assertEquals(1, peer.cuts(), "the close frame waits behind the stuck send: the socket must be cut");
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

        assertEquals(Offer.OVERFLOWED, outbox.offer("a:3"));
        pending.remove().run(); // a:0 completes before anyone evicts the member
        assertRefused(outbox.offer("a:4"), "a frame after the refused one was taken");
        outbox.flush();

        assertEquals(List.of("a:0"), peer.rawFrames(), "a frame after the refused a:3 would let the client skip it");
        assertEquals("too slow: outbound queue full", peer.closedWith().getReasonPhrase());
        assertEquals(Offer.CLOSED, outbox.offer("a:5"), "only one offer reports the overflow");
        assertEquals(0, outbox.queued());
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

    /**
     * A close that drops the queue while the writer is taking a run from it: the client must get
     * a prefix of what was queued, never n-1 and then n+1. Raced many times, as a leave or an
     * eviction races a busy member's drain.
     */
    @Test
    void aCloseDroppingTheQueueWhileTheWriterTakesARunNeverLeavesAHoleInWhatIsSent() throws Exception {
        ExecutorService closers = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 1_000; round++) {
                FakePeer peer = FakePeer.async("member", completions).writingRuns().countOnly();
                Outbox outbox = unbounded(peer);
                for (int i = 0; i < 200; i++) {
                    outbox.offer("a:" + i);
                }
                CountDownLatch go = new CountDownLatch(1);
                Future<?> close = closers.submit(() -> {
                    go.await();
                    outbox.close(null);
                    return null;
                });
                go.countDown();
                for (int i = 200; i < 400; i++) {
                    outbox.offer("a:" + i);
                    outbox.flush();
                }
                close.get(10, TimeUnit.SECONDS);
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
                        .until(outbox::isFinished);
                assertEquals(0, peer.violations(), "round " + round + ": a frame skipped or sent after another");
            }
        } finally {
            closers.shutdownNow();
        }
    }
}
