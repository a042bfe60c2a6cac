package dev.chorus.chat;

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
    private final LongAccumulator outboxDepthMax = new LongAccumulator(Math::max, 0);
    private final ConcurrentMap<Integer, LongAdder> closesByCode = new ConcurrentHashMap<>();

    void received() {
        messagesReceived.increment();
    }

    void delivered(int frames) {
        deliveries.add(frames);
    }

    void refusedJoin() {
        refusedJoins.increment();
    }

    void rateLimited() {
        rateLimited.increment();
    }

    void outboxOverflowed() {
        outboxOverflows.increment();
    }

    void sendTimedOut() {
        sendTimeouts.increment();
    }

    void silentDropped() {
        silent.increment();
    }

    void observeOutboxDepth(int depth) {
        outboxDepthMax.accumulate(depth);
    }

    void closed(int code) {
        closesByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
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

    /** The deepest any connection's outbound queue has been since start. */
    public long outboxDepthMax() {
        return outboxDepthMax.get();
    }

    /** Closed connections by close code, whoever closed them. */
    public Map<Integer, Long> closesByCode() {
        Map<Integer, Long> closes = new TreeMap<>();
        closesByCode.forEach((code, count) -> closes.put(code, count.sum()));
        return closes;
    }
}
