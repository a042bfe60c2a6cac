package dev.chorus.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one {@link CrowdBenchmark} process knows of its members, by member index, beyond their
 * sockets: the last id each saw (messages and its own acks, which take its message's place in the
 * room's order), each room's newest id and epoch, what each sent that no ack answered, and when a
 * dropped member is due to reconnect. Kept in arrays because a process holds thousands of members,
 * and outliving a member's connections, because a member that reconnects resumes from them. Used on
 * the selector thread only.
 * <p>
 * With rooms of {@code roomSize}, every room lies within this process (members {@code r·size} to
 * {@code r·size + size − 1}), so what each member should have seen is known here: every id of its
 * room up to the newest any member of the room saw. A member's hole in the ids is a silent loss; a
 * {@code gap} event is a loss it was told of. With one room for the whole crowd ({@code roomSize}
 * 0) the room spans processes and only repeats and reordering are told here.
 */
final class CrowdMembers {

    /** The client module's back-off: the ceiling doubles from 1 s up to 30 s, the wait drawn from its upper half. */
    private static final long BACKOFF_BASE_MILLIS = 1_000;
    private static final long BACKOFF_CAP_MILLIS = 30_000;

    final int roomSize;
    private final int[] lastId;
    private final int[] roomNewest;
    private final String[] epochs;
    private final byte[] unacked;
    private final byte[] attempts;
    /** When each member is due to connect again (System.nanoTime), 0 if it is not waiting. */
    private final long[] reconnectAt;
    /** When each waiting member lost its connection, 0 if it did not. */
    private final long[] droppedAt;
    /** From a lost connection to the welcome that resumed it. */
    final Histogram reconnectMicros = new Histogram(3);
    long duplicated;
    long reordered;
    long acked;
    long unackedAtDrop;
    long resumedFromHistory;
    long toldLost;
    long silentlyLost;
    int resets;
    int reconnects;
    int waiting;

    CrowdMembers(int members, int roomSize) {
        this.roomSize = roomSize;
        lastId = new int[members];
        unacked = new byte[members];
        attempts = new byte[members];
        reconnectAt = new long[members];
        droppedAt = new long[members];
        int rooms = roomSize == 0 ? 1 : (members + roomSize - 1) / roomSize;
        roomNewest = new int[rooms];
        epochs = new String[rooms];
    }

    int room(int member) {
        return roomSize == 0 ? 0 : member / roomSize;
    }

    int rooms() {
        return roomNewest.length;
    }

    /** A message or the member's own ack with this id, live or from a resumed welcome's history. */
    void delivered(int member, long id) {
        int last = lastId[member];
        if (id == last) {
            duplicated++;
        } else if (id < last) {
            reordered++;
        } else {
            if (roomSize > 0 && id > last + 1) {
                silentlyLost += id - last - 1;
            }
            lastId[member] = (int) id;
            int room = room(member);
            roomNewest[room] = Math.max(roomNewest[room], (int) id);
        }
    }

    void sent(int member) {
        if (unacked[member] < Byte.MAX_VALUE) {
            unacked[member]++;
        }
    }

    void ack(int member, long id) {
        acked++;
        if (unacked[member] > 0) {
            unacked[member]--;
        }
        delivered(member, id);
    }

    /** A {@code gap} event: the ids between {@code after} and {@code until} are gone, and the member knows it. */
    void gap(int member, long after, long until) {
        if (until > after + 1) {
            toldLost += until - after - 1;
        }
        lastId[member] = (int) Math.max(lastId[member], until - 1);
    }

    /** A {@code gap} with {@code reset}: the room numbers anew, and the member starts from its welcome's history. */
    void reset(int member) {
        resets++;
        lastId[member] = 0;
    }

    void epoch(int member, String epoch) {
        epochs[room(member)] = epoch;
    }

    /** The query a reconnecting member resumes with, or null if it never had a welcome. */
    String resumeQuery(int member) {
        String epoch = epochs[room(member)];
        return epoch == null ? null : "since=" + lastId[member] + "&epoch=" + epoch;
    }

    /** The member's connection was lost at {@code now}: it connects again after the client module's back-off. */
    void dropped(int member, long now, SplittableRandom random) {
        unackedAtDrop += unacked[member];
        unacked[member] = 0;
        if (droppedAt[member] == 0) {
            droppedAt[member] = now;
        }
        long ceiling = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempts[member], 15));
        reconnectAt[member] = now + TimeUnit.MILLISECONDS.toNanos((long) (ceiling * (0.5 + random.nextDouble() / 2)));
        if (attempts[member] < Byte.MAX_VALUE) {
            attempts[member]++;
        }
        waiting++;
    }

    /** Whether the member is waiting to reconnect and its time came; if so it waits no more. */
    boolean due(int member, long now) {
        if (reconnectAt[member] == 0 || now - reconnectAt[member] < 0) {
            return false;
        }
        reconnectAt[member] = 0;
        waiting--;
        return true;
    }

    boolean reconnecting(int member) {
        return droppedAt[member] != 0;
    }

    /** A welcome on a connection made after a drop: the reconnect took from the drop to now. */
    void resumed(int member, long now) {
        if (droppedAt[member] != 0) {
            reconnectMicros.recordValue(Math.max(0, now - droppedAt[member]) / 1000);
            droppedAt[member] = 0;
            attempts[member] = 0;
            reconnects++;
        }
    }

    /**
     * At the end, for a member still connected: what its room got that it did not, counted as lost
     * (rooms of this process only; a room that spans processes cannot be judged here).
     */
    void settle(int member) {
        if (roomSize > 0) {
            silentlyLost += Math.max(0, roomNewest[room(member)] - lastId[member]);
        }
    }

    long newestIds() {
        return Arrays.stream(roomNewest).asLongStream().sum();
    }
}
