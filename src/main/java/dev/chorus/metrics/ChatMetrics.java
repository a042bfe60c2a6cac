package dev.chorus.metrics;

import dev.chorus.protocol.CloseReasons;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters an operator watches. Striped adders: they are bumped on every message by many
 * threads at once and read only when scraped.
 */
@ApplicationScoped
public class ChatMetrics {

    private final LongAdder messagesReceived = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder refusedJoins = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder outboxOverflows = new LongAdder();
    private final LongAdder sendTimeouts = new LongAdder();
    private final LongAdder silent = new LongAdder();
    private final LongAdder socketsCut = new LongAdder();
    private final LongAccumulator outboxDepthMax = new LongAccumulator(Math::max, 0);
    /**
     * The codes RFC 6455 and its registry define (1000 to 1015), and Chorus' own 4000, are counted each on its own; a
     * client may close with any code from 3000 to 4999, so all of those share one label, or a
     * client could grow the metric's label set without bound.
     */
    private static final int FIRST_NAMED_CODE = 1000;
    private static final int LAST_NAMED_CODE = 1015;
    static final String OTHER_CODE = "other";

    private final ConcurrentMap<String, LongAdder> closesByCode = new ConcurrentHashMap<>();

    public void received() {
        messagesReceived.increment();
    }

    public void delivered(int frames) {
        deliveries.add(frames);
    }

    public void refusedJoin() {
        refusedJoins.increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void outboxOverflowed() {
        outboxOverflows.increment();
    }

    public void sendTimedOut() {
        sendTimeouts.increment();
    }

    public void silentDropped() {
        silent.increment();
    }

    public void socketCut() {
        socketsCut.increment();
    }

    public void observeOutboxDepth(int depth) {
        outboxDepthMax.accumulate(depth);
    }

    public void closed(int code) {
        boolean named = code >= FIRST_NAMED_CODE && code <= LAST_NAMED_CODE || code == CloseReasons.DISCONNECTED;
        String label = named ? Integer.toString(code) : OTHER_CODE;
        closesByCode.computeIfAbsent(label, c -> new LongAdder()).increment();
    }

    /** Text messages accepted from clients. */
    public long messagesReceived() {
        return messagesReceived.sum();
    }

    /** Frames queued to members: messages, acks, presence, welcomes and errors. */
    public long deliveries() {
        return deliveries.sum();
    }

    /** Connections refused at join (1008: invalid room, name or since). */
    public long refusedJoins() {
        return refusedJoins.sum();
    }

    /** Messages dropped with a {@code rate-limited} error event. */
    public long rateLimitedMessages() {
        return rateLimited.sum();
    }

    /** Connections dropped (1013) because their outbound queue was full. */
    public long outboxOverflows() {
        return outboxOverflows.sum();
    }

    /** Connections dropped (1013) because one send to them stayed unfinished past the send timeout. */
    public long sendTimeouts() {
        return sendTimeouts.sum();
    }

    /** Connections dropped (1001) because no message or pong came within the silence limit. */
    public long silentDrops() {
        return silent.sum();
    }

    public long socketsCut() {
        return socketsCut.sum();
    }

    /** The deepest any connection's outbound queue has been since start. */
    public long outboxDepthMax() {
        return outboxDepthMax.get();
    }

    /** Closed connections by close code (1000 to 1015, else {@code other}), whoever closed them. */
    public Map<String, Long> closesByCode() {
        Map<String, Long> closes = new TreeMap<>();
        closesByCode.forEach((code, count) -> closes.put(code, count.sum()));
        return closes;
    }
}
