package dev.chorus.testsupport;

import dev.chorus.outbound.BatchWindow;
import dev.chorus.outbound.Peer;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Peer} that records the server events reaching it and checks what a client relies on:
 * never two sends in flight and nothing sent after a failure or a close (a socket's contract);
 * message and ack ids without gap or repeat, continuing the welcome's history (the room's order);
 * and, for texts of the form {@code sender:seq}, each sender's sequence without gap or repeat.
 */
public final class FakePeer implements Peer {

    private final String name;
    private final Executor completions;
    private final int failOnSend;
    private volatile boolean batching;
    private volatile boolean runs;
    private volatile Executor writer;
    private volatile BatchWindow batchWindow;
    private final Set<String> sendThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger frames = new AtomicInteger();

    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicInteger sends = new AtomicInteger();
    private final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile boolean connected = true;
    private final AtomicInteger violations = new AtomicInteger();
    private final ReceivedEvents received = new ReceivedEvents(violations);
    private volatile boolean failed;
    private volatile CloseReason closedWith;
    private final CountDownLatch closed = new CountDownLatch(1);

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

    /**
     * A connection whose container writes on the writer's thread and hands it each send from
     * elsewhere (as Undertow does); the peer notes which threads its sends ran on.
     */
    public FakePeer writingOn(Executor writer) {
        this.writer = writer;
        return this;
    }

    @Override
    public Executor writer() {
        return writer;
    }

    /** The names of the threads this peer's sends ran on. */
    public Set<String> sendThreads() {
        return sendThreads;
    }

    /** Asks for several events per frame, one per line ({@code ?batch=1}), and reads them so. */
    public FakePeer batching() {
        batching = true;
        return this;
    }

    @Override
    public boolean takesBatches() {
        return batching;
    }

    /** Takes batches ({@link #batching}), which wait for {@code window} to go out together. */
    public FakePeer batchingWithin(BatchWindow window) {
        batchWindow = window;
        return batching();
    }

    @Override
    public BatchWindow batchWindow() {
        return batchWindow;
    }

    /** Takes a backlog as separate frames in one write, as Chorus writes to Tyrus. */
    public FakePeer writingRuns() {
        runs = true;
        return this;
    }

    @Override
    public boolean writesRuns() {
        return runs;
    }

    /** Writes that reached it: a run of frames counts once. */
    public int writes() {
        return writes.get();
    }

    /** Frames that reached it (a batched frame counts once, however many events it held). */
    public int frames() {
        return frames.get();
    }

    /** Checks and counts events without keeping them, for long runs. */
    public FakePeer countOnly() {
        received.keepNone();
        return this;
    }

    @Override
    public void send(String frame, SendHandler done) {
        sendRun(List.of(frame), done);
    }

    @Override
    public void sendRun(List<String> run, SendHandler done) {
        sendThreads.add(Thread.currentThread().getName());
        if ((run.size() > 1 && !runs) || !inFlight.compareAndSet(false, true) || failed || closedWith != null) {
            violations.incrementAndGet();
        }
        boolean fail = sends.incrementAndGet() == failOnSend;
        completions.execute(() -> {
            if (fail) {
                failed = true;
                inFlight.set(false);
                done.onResult(new SendResult(new IOException("broken pipe")));
                return;
            }
            writes.incrementAndGet();
            run.forEach(frame -> {
                frames.incrementAndGet();
                received.record(frame, batching);
            });
            inFlight.set(false);
            done.onResult(new SendResult());
        });
    }

    @Override
    public void ping() {
        if (inFlight.get() || failed || closedWith != null) {
            violations.incrementAndGet();
        }
        pings.incrementAndGet();
    }

    /** Pings the registry sent this peer. */
    public int pings() {
        return pings.get();
    }

    @Override
    public void close(CloseReason reason) {
        closedWith = reason;
        closes.incrementAndGet();
        closed.countDown();
    }

    /** The connection dies unreported: no close, no failure, only the socket is gone. */
    public void disconnect() {
        connected = false;
    }

    @Override
    public boolean isConnected() {
        return connected && cuts.get() == 0;
    }

    @Override // open until cut: only the first cut finds the connection open
    public boolean cut() {
        return cuts.incrementAndGet() == 1;
    }

    /** How many times the registry cut this peer's connection. */
    public int cuts() {
        return cuts.get();
    }

    /** How many times the registry closed this peer: once, if it keeps the rules. */
    public int closes() {
        return closes.get();
    }

    /** Waits up to the timeout for the registry to close this peer; true if it did. */
    public boolean awaitClose(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public String name() {
        return name;
    }

    /** The events that reached this peer so far, oldest first. */
    public List<JsonObject> events() {
        return received.events();
    }

    /** Frames that were not JSON events, oldest first. */
    public List<String> rawFrames() {
        return received.rawFrames();
    }

    /** The events of one type, oldest first. */
    public List<JsonObject> events(String type) {
        return received.events(type);
    }

    /** The texts of the message events, oldest first. */
    public List<String> texts() {
        return received.texts();
    }

    /** Message and ack events received: every message of the room while this peer was in it. */
    public int messagesAndAcks() {
        return received.messagesAndAcks();
    }

    /** Frames the registry started to send to this peer. */
    public int sends() {
        return sends.get();
    }

    /** Overlapping sends, sends after failure or close, and ids or sequences out of order. */
    public int violations() {
        return violations.get();
    }

    public boolean failed() {
        return failed;
    }

    public CloseReason closedWith() {
        return closedWith;
    }

    /** A JSON string array as a Java list. */
    public static List<String> strings(JsonObject event, String key) {
        return event.getJsonArray(key).getValuesAs(JsonValue.class).stream()
                .map(value -> ((JsonString) value).getString()).toList();
    }

    @Override
    public String toString() {
        return name;
    }
}
