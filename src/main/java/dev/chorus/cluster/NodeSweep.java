package dev.chorus.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
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
 * of names per script call.
 */
final class NodeSweep {

    private static final Logger LOG = Logger.getLogger(NodeSweep.class.getName());
    /** Names one sweep call looks at: a page small enough that Redis serves others between pages. */
    static final int PAGE = 500;

    private final RedisClusterCommands<String, String> redis;
    private final String sha;
    private final RoomScript script;

    NodeSweep(RedisClusterCommands<String, String> redis, String sha, RoomScript script) {
        this.redis = redis;
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
        String size = Integer.toString(PAGE);
        for (String room : redis.smembers(rooms)) {
            String cursor = "0";
            do {
                List<Object> page = redis.evalsha(sha, ScriptOutputType.MULTI, RedisKeys.room(room), script.argv("sweep", node, cursor, size));
                cursor = (String) page.get(0);
            } while (!"0".equals(cursor));
        }
        redis.del(rooms, RedisKeys.node(node));
        redis.srem(RedisKeys.NODES, node);
        redis.del(RedisKeys.nodeSweeper(node));
    }
}
