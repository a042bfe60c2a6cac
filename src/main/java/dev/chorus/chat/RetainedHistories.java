package dev.chorus.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Histories of rooms that emptied, so that a room whose members all dropped at once (a network
 * blip, a redeploy of a proxy) comes back with its messages and its numbering. Bounded: past
 * {@code limit}, the room that emptied longest ago is forgotten.
 */
final class RetainedHistories {

    private final Map<String, RoomHistory> byRoom;

    RetainedHistories(int limit) {
        this.byRoom = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RoomHistory> eldest) {
                return size() > limit;
            }
        };
    }

    synchronized void retain(String room, RoomHistory history) {
        byRoom.put(room, history);
    }

    /** The retained history of the room, handed over (no longer retained), or null. */
    synchronized RoomHistory reclaim(String room) {
        return byRoom.remove(room);
    }

    synchronized int size() {
        return byRoom.size();
    }
}
