package dev.chorus.outbound;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.FakePeer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One write in flight per socket, in order, whatever the threads and completions do. */
class OutboxTest extends OutboxTestSupport {

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
        assertEquals(Offer.CLOSED, outbox.offer("a:10"), "a failed outbox must refuse frames");
        outbox.flush();
        assertEquals(0, peer.violations(), "written to after the failure");
        assertEquals(1, failures.size());
    }

    /**
     * Tyrus runs a failed send's completion inline, holding the connection's writer monitor: there
     * the outbox only stops; the listener (which writes to other members) and the close run later,
     * on the executor for failures, and nothing is sent in between.
     */
    @Test
    void aFailedSendOnlyMarksTheOutboxAndLeavesTheReportAndTheCloseToTheFailuresExecutor() {
        FakePeer peer = FakePeer.failingOnSend("fails inline", Runnable::run, 2);
        Queue<Runnable> handedOver = new ArrayDeque<>();
        Outbox outbox = reportingFailuresOn(peer, handedOver::add);
        List.of("a:0", "a:1", "a:2").forEach(outbox::offer);

        outbox.flush();

        assertEquals(List.of(), failures, "reported inside the completion");
        assertEquals(0, peer.closes(), "closed inside the completion");
        assertEquals(Offer.CLOSED, outbox.offer("a:3"), "a failed outbox must refuse frames");
        outbox.flush();
        assertEquals(1, handedOver.size());
        handedOver.remove().run();
        assertEquals(1, failures.size());
        assertEquals(CloseCodes.UNEXPECTED_CONDITION, peer.closedWith().getCloseCode());
        assertEquals(List.of("a:0"), peer.rawFrames());
        assertEquals(0, peer.violations(), "written to after the failure");
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
        Outbox outbox = new Outbox(completesTwice, 10, 1_000, () -> nanos, failures::add, Runnable::run);
        List.of("a:0", "a:1", "a:2").forEach(outbox::offer);

        outbox.flush();

        assertEquals(List.of("a:0", "a:1", "a:2"), sent);
    }

    @Test
    void aClientThatTakesBatchesGetsItsBacklogInOneFrameOfLinesButNeverAPingInside() {
        FakePeer peer = sendBacklogAroundAPing(FakePeer.async("batching", pending::add).batching());

        assertEquals(3, peer.frames(), "a:0, then a:1 to a:3 as one frame; the ping in between, then a:4");
    }

    @Test
    void whereTheContainerAllowsItABacklogGoesOutInOneWriteOfSeparateFramesButNeverAPingInside() {
        FakePeer peer = sendBacklogAroundAPing(FakePeer.async("runs", pending::add).writingRuns());

        assertEquals(5, peer.frames(), "every event stays a frame of its own");
        assertEquals(3, peer.writes(), "a:0, then a:1 to a:3 in one write; the ping in between, then a:4");
    }

    /**
     * Sends a:0 alone (nothing queued behind it yet), then a:1 to a:3, a ping and a:4 queued
     * behind it; checks that each event arrived once, in order, and the ping went out alone.
     */
    private FakePeer sendBacklogAroundAPing(FakePeer peer) {
        Outbox outbox = unbounded(peer);
        outbox.offer("a:0");
        outbox.flush();
        List.of("a:1", "a:2", "a:3").forEach(outbox::offer);
        outbox.offer(Outbox.PING);
        outbox.offer("a:4");

        while (!pending.isEmpty()) {
            pending.remove().run();
        }

        assertEquals(List.of("a:0", "a:1", "a:2", "a:3", "a:4"), peer.rawFrames());
        assertEquals(1, peer.pings());
        assertEquals(0, outbox.queued());
        assertEquals(0, peer.violations());
        return peer;
    }
}
