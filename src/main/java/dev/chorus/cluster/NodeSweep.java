package dev.chorus.cluster;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes a node's members out of every room it had them in, so that the others see them leave:
 * a dead node's (one listed in {@link RedisKeys#NODES} whose liveness key expired), swept by any
 * live node at each renewal, or a node's own when it stops. Each leave is announced once,
 * whoever sweeps: the room script does nothing for a name the node no longer holds. A dead node is
 * swept by one live node at a time (the first to claim it, for as long as a sweep round may take),
 * so that every live node does not read and leave the same names at once; a room is swept a page
 * of names per script call, and the first pages of many rooms are sent without waiting for each
 * other, so a node in thousands of rooms is swept in a few dozen round trips, not thousands.
 */
final class NodeSweep {

    private static final Logger LOG = Logger.getLogger(NodeSweep.class.getName());
    /** Names one sweep call looks at: a page small enough that Redis serves others between pages. */
    static final int PAGE = 500;
    /** Rooms whose first page is sent before any answer is awaited. */
    static final int WINDOW = 64;
    /** How long a page's answer is awaited: past the command timeout, which ends it first. */
    private static final long AWAIT_SECONDS = 10;

    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> pipelined;
    private final String sha;
    private final RoomScript script;

    NodeSweep(RedisClusterCommands<String, String> redis, RedisClusterAsyncCommands<String, String> pipelined, String sha,
            RoomScript script) {
        this.redis = redis;
        this.pipelined = pipelined;
        this.sha = sha;
        this.script = script;
    }

    /**
     * Sweeps every listed node but this one whose liveness key has expired, until {@code deadline}
     * ({@link System#nanoTime} terms): a node not reached by then is swept by the next renewal.
     */
    void sweepDeadBesides(String self, long deadline) {
        for (String node : redis.smembers(RedisKeys.NODES)) {
            if (System.nanoTime() - deadline > 0) {
                return;
            }
            if (!node.equals(self) && redis.exists(RedisKeys.node(node)) == 0 && claim(node, self, deadline)) {
                LOG.info(() -> "Node " + node + " stopped renewing its presence; its members leave");
                sweep(node);
            }
        }
    }

    /** This node is closing: its members leave at once, for the others to see, if Redis answers. */
    void sweepOnClose(String self) {
        try {
            sweep(self);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Could not take this node's members out of Redis on close", e);
        }
    }

    private String[] page(String node, String cursor) {
        return script.argv("sweep", node, cursor, Integer.toString(PAGE));
    }

    /**
     * Claims the dead node's sweep for this node until the round's deadline; false if another live
     * node holds the claim. A sweeper that dies or stalls loses it when it expires.
     */
    private boolean claim(String node, String self, long deadline) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        return "OK".equals(redis.set(RedisKeys.nodeSweeper(node), self, SetArgs.Builder.nx().px(millis)));
    }

    /** Takes the node's members out of its rooms, a page of names per call, then forgets the node. */
    void sweep(String node) {
        String rooms = RedisKeys.nodeRooms(node);
        List<String> all = new ArrayList<>(redis.smembers(rooms));
        for (int from = 0; from < all.size(); from += WINDOW) {
            List<String> window = all.subList(from, Math.min(all.size(), from + WINDOW));
            List<RedisFuture<List<Object>>> firstPages = new ArrayList<>(window.size());
            for (String room : window) {
                firstPages.add(pipelined.evalsha(sha, ScriptOutputType.MULTI, RedisKeys.room(room), page(node, "0")));
            }
            for (int i = 0; i < window.size(); i++) {
                String cursor = (String) LettuceFutures.awaitOrCancel(firstPages.get(i), AWAIT_SECONDS, TimeUnit.SECONDS).get(0);
                // A room of more names than a page (rare) goes on page after page.
                while (!"0".equals(cursor)) {
                    List<Object> next = redis.evalsha(sha, ScriptOutputType.MULTI, RedisKeys.room(window.get(i)), page(node, cursor));
                    cursor = (String) next.get(0);
                }
            }
        }
        redis.del(rooms, RedisKeys.node(node));
        redis.srem(RedisKeys.NODES, node);
        redis.del(RedisKeys.nodeSweeper(node));
    }
}
