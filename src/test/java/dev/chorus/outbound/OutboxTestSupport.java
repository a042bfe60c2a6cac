package dev.chorus.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.chorus.testsupport.FakePeer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;

/** What the outbox tests share: peers whose sends complete when the test says, and the outbox's clock. */
abstract class OutboxTestSupport {

    final ExecutorService completions = Executors.newFixedThreadPool(4);
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    /** Completions of sends by peers that complete only when the test runs them. */
    final Queue<Runnable> pending = new ArrayDeque<>();

    /** The monotonic time the outbox reads; tests move it by hand. */
    long nanos;

    Outbox bounded(FakePeer peer, int maxFrames, long maxChars) {
        return new Outbox(peer, maxFrames, maxChars, () -> nanos, failures::add, Runnable::run);
    }

    /** An unbounded outbox that reports a failed send, and closes after one, on {@code failuresOn}. */
    Outbox reportingFailuresOn(FakePeer peer, Executor failuresOn) {
        return new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, () -> nanos, failures::add, failuresOn);
    }

    Outbox unbounded(FakePeer peer) {
        return bounded(peer, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** An outbox with a:0 in flight and a:1 queued behind it. */
    Outbox sendingFirstOfTwo(FakePeer peer) {
        Outbox outbox = unbounded(peer);
        outbox.offer("a:0");
        outbox.offer("a:1");
        outbox.flush();
        return outbox;
    }

    static void assertAccepted(Offer offer, String... why) {
        assertEquals(Offer.ACCEPTED, offer, String.join("", why));
    }

    static void assertRefused(Offer offer, String... why) {
        assertNotEquals(Offer.ACCEPTED, offer, String.join("", why));
    }

    @AfterEach
    void stop() {
        completions.shutdownNow();
    }
}
