package dev.chorus.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * The rooms this node lists as its own in Redis ({@link RedisKeys#nodeRooms}), where a sweep of
 * the node finds every name it holds: a room is listed before anyone joins it here, and struck off
 * once no join or leave of it is in flight and nobody is in it here, so that the list (and a
 * sweep of this node) does not grow with every room the node ever held.
 */
final class NodeRoomList {

    /** Joins and leaves in flight per room. Guarded by itself. */
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final RoomLogListener listener;

    NodeRoomList(RoomLogListener listener) {
        this.listener = listener;
    }

    /** A join or leave of the room starts: until it ends, the room stays on the node's list. */
    void begin(String room) {
        synchronized (inFlight) {
            inFlight.merge(room, 1, Integer::sum);
        }
    }

    /**
     * A join or leave of the room ended: with none left in flight and no member here, the room is
     * struck off the list of {@code node} on these connections (none: the link is down, nothing to
     * strike). The removal is sent under the lock a join's {@link #begin} takes, on the connection
     * the join's listing goes on: Redis runs it before any later join's listing.
     */
    void end(String room, RedisConnections redis, String node) {
        synchronized (inFlight) {
            if (inFlight.merge(room, -1, Integer::sum) > 0) {
                return;
            }
            inFlight.remove(room);
            if (redis != null && listener.position(room) == null) {
                redis.async().srem(RedisKeys.nodeRooms(node), room);
            }
        }
    }
}
