package dev.chorus.cluster;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the logs of the rooms a node follows, one blocking {@code XREAD} after another on a
 * connection of its own, and hands each room's entries to the listener in log order. Each read
 * asks the listener afresh where each room stands, so a room it just started following is read
 * from where its backlog ended; the node's wake stream is read too, so that following a new room
 * ends the read under way. Callbacks run on the client's event loop: the listener must not block.
 */
final class LogReader {

    private static final Logger LOG = Logger.getLogger(LogReader.class.getName());
    /** A blocking read returns at least this often, so that a new room or a dead link is noticed. */
    private static final long BLOCK_MILLIS = 1000;
    private static final int READ_BATCH = 512;

    private final RoomLogListener listener;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();

    LogReader(RoomLogListener listener) {
        this.listener = listener;
    }

    long received() {
        return received.get();
    }

    long lagMillis() {
        return lagMillis.get();
    }

    /**
     * Reads on this connection, for the node, from its wake stream's position, while
     * {@code reading} says so; a read that fails goes to {@code failed} and ends the reading.
     */
    void start(StatefulRedisConnection<String, String> connection, String node, String wakeAt, BooleanSupplier reading,
            Consumer<Throwable> failed) {
        if (!reading.getAsBoolean()) {
            return;
        }
        Map<String, String> positions = listener.positions();
        List<StreamOffset<String>> offsets = new ArrayList<>(positions.size() + 1);
        String wakeKey = RedisKeys.wake(node);
        offsets.add(StreamOffset.from(wakeKey, wakeAt));
        positions.forEach((room, position) -> offsets.add(StreamOffset.from(RedisKeys.log(room), position)));
        @SuppressWarnings("unchecked")
        StreamOffset<String>[] streams = offsets.toArray(StreamOffset[]::new);
        connection.async().xread(XReadArgs.Builder.block(BLOCK_MILLIS).count(READ_BATCH), streams)
                .whenComplete((messages, failure) -> {
                    if (failure != null) {
                        failed.accept(failure);
                        return;
                    }
                    String wokenAt = wakeAt;
                    Map<String, List<RoomEntry>> byRoom = new LinkedHashMap<>();
                    for (StreamMessage<String, String> message : messages == null ? List.<StreamMessage<String, String>>of() : messages) {
                        if (message.getStream().equals(wakeKey)) {
                            wokenAt = message.getId();
                            continue;
                        }
                        RoomEntry entry = RoomEntry.of(message.getId(), message.getBody());
                        if (entry != null) {
                            byRoom.computeIfAbsent(RedisKeys.roomOfLog(message.getStream()), room -> new ArrayList<>()).add(entry);
                        }
                    }
                    byRoom.forEach(this::handOver);
                    start(connection, node, wokenAt, reading, failed);
                });
    }

    private void handOver(String room, List<RoomEntry> entries) {
        received.addAndGet(entries.size());
        RoomEntry last = entries.get(entries.size() - 1);
        if (last.sentAt() > 0) {
            lagMillis.set(Math.max(0, System.currentTimeMillis() - last.sentAt()));
        }
        try {
            listener.relayed(room, entries);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Relaying room " + room + " failed", e);
        }
    }
}
