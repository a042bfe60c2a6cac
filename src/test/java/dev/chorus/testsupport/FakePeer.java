package dev.chorus.testsupport;

import dev.chorus.chat.Peer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Peer} that records what reaches it and checks the contract a real socket imposes:
 * never two sends in flight, nothing sent after it failed or was closed. Frames of the form
 * {@code sender:seq} are also checked for per-sender order: each sender's sequence must arrive
 * without gap or repeat from the first one this peer saw.
 */
public final class FakePeer implements Peer {

    private final String name;
    private final Executor completions;
    private final int failOnSend;

    private final List<String> frames = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> lastSeqBySender = new ConcurrentHashMap<>();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicInteger sends = new AtomicInteger();
    private final AtomicInteger violations = new AtomicInteger();
    private volatile boolean failed;
    private volatile CloseReason closedWith;

    private FakePeer(String name, Executor completions, int failOnSend) {
        this.name = name;
        this.completions = completions;
        this.failOnSend = failOnSend;
    }

    /** Completes every send before {@code send} returns, as a socket with room in its buffer. */
    public static FakePeer inline(String name) {
        return new FakePeer(name, Runnable::run, 0);
    }

    /** Completes every send later, on the executor, as a socket that writes asynchronously. */
    public static FakePeer async(String name, Executor completions) {
        return new FakePeer(name, completions, 0);
    }

    /** Like {@link #async}, but the n-th send (1-based) fails, as a socket whose client vanished. */
    public static FakePeer failingOnSend(String name, Executor completions, int n) {
        return new FakePeer(name, completions, n);
    }

    @Override
    public void send(String frame, SendHandler done) {
        if (!inFlight.compareAndSet(false, true) || failed || closedWith != null) {
            violations.incrementAndGet();
        }
        int n = sends.incrementAndGet();
        boolean fail = n == failOnSend;
        completions.execute(() -> {
            if (fail) {
                failed = true;
                inFlight.set(false);
                done.onResult(new SendResult(new IOException("broken pipe")));
                return;
            }
            record(frame);
            inFlight.set(false);
            done.onResult(new SendResult());
        });
    }

    private void record(String frame) {
        frames.add(frame);
        int colon = frame.lastIndexOf(':');
        if (colon < 0) {
            return;
        }
        String sender = frame.substring(0, colon);
        int seq = Integer.parseInt(frame.substring(colon + 1));
        Integer last = lastSeqBySender.put(sender, seq);
        if (last != null && seq != last + 1) {
            violations.incrementAndGet();
        }
    }

    @Override
    public void close(CloseReason reason) {
        closedWith = reason;
    }

    public String name() {
        return name;
    }

    /** What reached this peer so far, oldest first. */
    public List<String> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    public int received() {
        return frames.size();
    }

    /** Whether any frame from this sender reached this peer. */
    public boolean sawFrom(String sender) {
        return lastSeqBySender.containsKey(sender);
    }

    /** Overlapping sends, sends after failure or close, and out-of-order or repeated frames. */
    public int violations() {
        return violations.get();
    }

    public boolean failed() {
        return failed;
    }

    public CloseReason closedWith() {
        return closedWith;
    }

    @Override
    public String toString() {
        return name;
    }
}
