package dev.chorus.room;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Histories of rooms that emptied, so that a room whose members all dropped at once (a network
 * blip, a redeploy of a proxy) comes back with its messages and its numbering. Bounded: past
 * {@code limit} rooms, or when the {@link HistoryBudget} is over, the room that emptied longest
 * ago is forgotten (a client resuming there later gets a gap event saying the numbering restarted).
 * Its lock is a leaf: it is taken under a room's lock, and never takes one.
 */
final class RetainedHistories {

    private final int limit;
    private final HistoryBudget budget;
    private final Map<String, RoomHistory> byRoom = new LinkedHashMap<>();

    RetainedHistories(int limit, HistoryBudget budget) {
        this.limit = limit;
        this.budget = budget;
        budget.onOverDropRetained(this::forgetEldest);
    }

    synchronized void retain(String room, RoomHistory history) {
        byRoom.put(room, history);
        while (byRoom.size() > limit) {
            forgetEldest();
        }
    }

    /** The retained history of the room, handed over (no longer retained), or null. */
    synchronized RoomHistory reclaim(String room) {
        return byRoom.remove(room);
    }

    /** What {@code read} makes of the room's retained history, under this lock; null if none is retained. */
    synchronized <T> T read(String room, Function<RoomHistory, T> read) {
        RoomHistory history = byRoom.get(room);
        return history == null ? null : read.apply(history);
    }

    /** Forgets the history of the room that emptied longest ago; false if none is retained. */
    synchronized boolean forgetEldest() {
        Iterator<RoomHistory> eldest = byRoom.values().iterator();
        if (!eldest.hasNext()) {
            return false;
        }
        eldest.next().discard();
        eldest.remove();
        return true;
    }
}
