package dev.chorus.testsupport;

import dev.chorus.outbound.Peer;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Peer} that records the server events reaching it and checks what a client relies on:
 * never two sends in flight and nothing sent after a failure or a close (a socket's contract);
 * message and ack ids without gap or repeat, continuing the welcome's history (the room's order);
 * and, for texts of the form {@code sender:seq}, each sender's sequence without gap or repeat.
 */
public final class FakePeer implements Peer {

    /** Looked up once: {@code Json.createReader} searches the class path on every call. */
    private static final JsonProvider JSON = JsonProvider.provider();

    private final String name;
    private final Executor completions;
    private final int failOnSend;
    private volatile boolean keepEvents = true;
    private volatile boolean batching;
    private volatile boolean runs;
    private volatile Executor writer;
    private final Set<String> sendThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger frames = new AtomicInteger();

    private final List<JsonObject> events = Collections.synchronizedList(new ArrayList<>());
    private final List<String> rawFrames = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> lastSeqBySender = new ConcurrentHashMap<>();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicInteger sends = new AtomicInteger();
    private final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile boolean connected = true;
    private final AtomicInteger messagesAndAcks = new AtomicInteger();
    private final AtomicInteger violations = new AtomicInteger();
    /** Touched only by the one send in flight, so no lock is needed. */
    private long lastId = -1;
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
        keepEvents = false;
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
            run.forEach(this::record);
            inFlight.set(false);
            done.onResult(new SendResult());
        });
    }

    private void record(String frame) {
        frames.incrementAndGet();
        if (!batching) {
            recordEvent(frame);
            return;
        }
        for (String line : frame.split("\n", -1)) {
            recordEvent(line);
        }
    }

    private void recordEvent(String frame) {
        if (!frame.startsWith("{")) {
            // A raw frame, as the outbox tests send: only the sender sequence applies.
            if (keepEvents) {
                rawFrames.add(frame);
            }
            checkSenderSequence(frame);
            return;
        }
        JsonObject event;
        try (JsonReader reader = JSON.createReader(new StringReader(frame))) {
            event = reader.readObject();
        }
        if (keepEvents) {
            events.add(event);
        }
        switch (event.getString("type")) {
            case "welcome" -> event.getJsonArray("history").getValuesAs(JsonObject.class).forEach(this::inOrder);
            case "message" -> {
                inOrder(event);
                messagesAndAcks.incrementAndGet();
                checkSenderSequence(event.getString("text"));
            }
            case "ack" -> {
                inOrder(event);
                messagesAndAcks.incrementAndGet();
            }
            default -> {
                // Presence, gap and error events carry no id.
            }
        }
    }

    private void inOrder(JsonObject numbered) {
        long id = numbered.getJsonNumber("id").longValueExact();
        if (lastId != -1 && id != lastId + 1) {
            violations.incrementAndGet();
        }
        lastId = id;
    }

    private void checkSenderSequence(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return;
        }
        String sender = text.substring(0, colon);
        int seq = Integer.parseInt(text.substring(colon + 1));
        Integer last = lastSeqBySender.put(sender, seq);
        if (last != null && seq != last + 1) {
            violations.incrementAndGet();
        }
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
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Frames that were not JSON events, oldest first. */
    public List<String> rawFrames() {
        synchronized (rawFrames) {
            return List.copyOf(rawFrames);
        }
    }

    /** The events of one type, oldest first. */
    public List<JsonObject> events(String type) {
        return events().stream().filter(event -> event.getString("type").equals(type)).toList();
    }

    /** The texts of the message events, oldest first. */
    public List<String> texts() {
        return events("message").stream().map(event -> event.getString("text")).toList();
    }

    /** Message and ack events received: every message of the room while this peer was in it. */
    public int messagesAndAcks() {
        return messagesAndAcks.get();
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
