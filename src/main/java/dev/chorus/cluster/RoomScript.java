package dev.chorus.cluster;

import dev.chorus.room.Ticket;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one script that changes a room in Redis ({@code room.lua}, see there for the operations):
 * the arguments it takes and what its answers mean.
 */
final class RoomScript {

    static final String TEXT = load("room.lua");

    private final String logLength;
    private final String emptyRoomTtlMillis;

    /**
     * @param logLength about how many entries each room's log keeps
     * @param emptyRoomTtlMillis how long Redis keeps a room once its last member has left
     */
    RoomScript(int logLength, long emptyRoomTtlMillis) {
        this.logLength = Integer.toString(logLength);
        this.emptyRoomTtlMillis = Long.toString(emptyRoomTtlMillis);
    }

    /**
     * The arguments for an operation: its name, the epoch to start if the room has none (random,
     * so two lives of a room never share one), the log's length, how long an empty room is kept,
     * then the operation's own.
     */
    String[] argv(String operation, String... arguments) {
        String[] argv = new String[arguments.length + 4];
        argv[0] = operation;
        argv[1] = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        argv[2] = logLength;
        argv[3] = emptyRoomTtlMillis;
        System.arraycopy(arguments, 0, argv, 4, arguments.length);
        return argv;
    }

    /** What {@code join} answered. */
    static Ticket ticket(List<Object> reply) {
        return new Ticket((String) reply.get(0), ((Long) reply.get(1)).intValue(), (String) reply.get(2),
                (Long) reply.get(3), strings(reply.get(4)), (String) reply.get(5));
    }

    /** What {@code backlog} answered, keeping the last {@code messages} messages, oldest first. */
    static Backlog backlog(List<Object> reply, int messages) {
        List<?> newestFirst = (List<?>) reply.get(2);
        List<RoomEntry> kept = new ArrayList<>();
        for (Object raw : newestFirst) {
            RoomEntry entry = RoomEntry.of((List<?>) raw);
            if (entry != null && entry.kind() == RoomEntry.Kind.MESSAGE && kept.size() < messages) {
                kept.add(0, entry);
            }
        }
        String position = newestFirst.isEmpty() ? "0-0" : (String) ((List<?>) newestFirst.get(0)).get(0);
        return new Backlog((String) reply.get(0), (Long) reply.get(1), position, kept);
    }

    /** What {@code page} answered. */
    static NamesPage names(List<Object> reply) {
        return new NamesPage(((Long) reply.get(0)).intValue(), strings(reply.get(1)));
    }

    static List<String> strings(Object reply) {
        return ((List<?>) reply).stream().map(String.class::cast).toList();
    }

    private static String load(String name) {
        try (InputStream in = RoomScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
