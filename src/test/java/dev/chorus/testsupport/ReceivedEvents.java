package dev.chorus.testsupport;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What reached one fake client, event by event, and whether it came in the order a client relies
 * on: message and ack ids without gap or repeat, continuing the welcome's history, and for texts
 * of the form {@code sender:seq}, each sender's sequence without gap or repeat.
 */
final class ReceivedEvents {

    /** Looked up once: {@code Json.createReader} searches the class path on every call. */
    private static final JsonProvider JSON = JsonProvider.provider();

    private final AtomicInteger violations;
    private final List<JsonObject> events = Collections.synchronizedList(new ArrayList<>());
    private final List<String> rawFrames = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> lastSeqBySender = new ConcurrentHashMap<>();
    private final AtomicInteger messagesAndAcks = new AtomicInteger();
    private volatile boolean keepEvents = true;
    /** Touched only by the one send in flight, so no lock is needed. */
    private long lastId = -1;

    /** Events that counts each order it sees broken in {@code violations}. */
    ReceivedEvents(AtomicInteger violations) {
        this.violations = violations;
    }

    /** Checks the order only, keeping no events: for long stress runs. */
    void keepNone() {
        keepEvents = false;
    }

    /** Records one frame: one event, or one per line if the client takes batches. */
    void record(String frame, boolean batching) {
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

    /** The events that reached this peer so far, oldest first. */
    List<JsonObject> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Frames that were not JSON events, oldest first. */
    List<String> rawFrames() {
        synchronized (rawFrames) {
            return List.copyOf(rawFrames);
        }
    }

    /** The events of one type, oldest first. */
    List<JsonObject> events(String type) {
        return events().stream().filter(event -> event.getString("type").equals(type)).toList();
    }

    /** The texts of the message events, oldest first. */
    List<String> texts() {
        return events("message").stream().map(event -> event.getString("text")).toList();
    }

    /** Message and ack events received: every message of the room while this peer was in it. */
    int messagesAndAcks() {
        return messagesAndAcks.get();
    }
}
