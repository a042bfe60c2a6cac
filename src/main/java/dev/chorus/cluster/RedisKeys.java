package dev.chorus.cluster;

/**
 * The names of what Chorus keeps in Redis. Per room {@code R}, all under the hash tag {@code {R}}
 * so that Redis Cluster keeps a room on one shard: {@code chorus:{R}:state} (epoch and last id),
 * {@code :log} (a stream), {@code :names} and {@code :owners}. Per node {@code N}:
 * {@code chorus:node:{N}} (its liveness, with a TTL it renews), {@code :rooms} (where it has
 * members) and {@code :wake} (a stream that ends its blocking read when it follows a new room).
 * {@link #NODES} lists the nodes.
 */
final class RedisKeys {

    static final String NODES = "chorus:nodes";

    private static final String LOG_PREFIX = "chorus:{";
    private static final String LOG_SUFFIX = "}:log";

    private RedisKeys() {
    }

    /** The keys the room script takes, in its order: state, log, names, owners. */
    static String[] room(String room) {
        String tag = "chorus:{" + room + "}";
        return new String[] {tag + ":state", log(room), tag + ":names", tag + ":owners"};
    }

    static String log(String room) {
        return LOG_PREFIX + room + LOG_SUFFIX;
    }

    /** The room whose log this key is. */
    static String roomOfLog(String logKey) {
        return logKey.substring(LOG_PREFIX.length(), logKey.length() - LOG_SUFFIX.length());
    }

    static String node(String node) {
        return "chorus:node:{" + node + "}";
    }

    static String nodeRooms(String node) {
        return node(node) + ":rooms";
    }

    static String wake(String node) {
        return node(node) + ":wake";
    }
}
