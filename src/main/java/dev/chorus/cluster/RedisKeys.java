package dev.chorus.cluster;

/**
 * The names of what Chorus keeps in Redis. Per room {@code R}, all under the hash tag {@code {R}}
 * so that Redis Cluster keeps a room on one shard: {@code chorus:{R}:state} (epoch and last id),
 * {@code :log} (a stream), {@code :names} and {@code :owners}, and the shard channel
 * {@code :live}, on which each entry is pushed as it is appended. Per node {@code N}:
 * {@code chorus:node:{N}} (its liveness, with a TTL it renews) and {@code :rooms} (where it has
 * members), and while a live node sweeps it, {@code :sweeper} (which one). {@link #NODES} lists the
 * nodes; {@link #USER_CALLS} carries calls to one user.
 */
final class RedisKeys {

    static final String NODES = "chorus:nodes";

    /** The shard channel every node takes calls to one user on (notices, disconnects): a user's connections may be on any node. */
    static final String USER_CALLS = "chorus:users:calls";

    private static final String ROOM_PREFIX = "chorus:{";
    private static final String LIVE_SUFFIX = "}:live";

    private RedisKeys() {
    }

    /** The keys the room script takes, in its order: state, log, names, owners, and the live channel. */
    static String[] room(String room) {
        String tag = tag(room);
        return new String[] {tag + ":state", log(room), tag + ":names", tag + ":owners", live(room)};
    }

    static String log(String room) {
        return tag(room) + ":log";
    }

    static String live(String room) {
        return ROOM_PREFIX + room + LIVE_SUFFIX;
    }

    /** Every name of a room's begins so: its hash tag keeps them on one Redis Cluster slot. */
    private static String tag(String room) {
        return ROOM_PREFIX + room + "}";
    }

    /** The room whose live channel this is. */
    static String roomOfLive(String channel) {
        return channel.substring(ROOM_PREFIX.length(), channel.length() - LIVE_SUFFIX.length());
    }

    static String node(String node) {
        return "chorus:node:{" + node + "}";
    }

    static String nodeRooms(String node) {
        return node(node) + ":rooms";
    }

    static String nodeSweeper(String node) {
        return node(node) + ":sweeper";
    }
}
