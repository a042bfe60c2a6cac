package dev.chorus.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes a node's members out of every room it had them in, so that the others see them leave:
 * a dead node's (one listed in {@link RedisKeys#NODES} whose liveness key expired), swept by any
 * live node at each renewal, or a node's own when it stops. Each leave is announced once,
 * whoever sweeps: the room script's {@code leave} does nothing for a name the node no longer holds.
 */
final class NodeSweep {

    private static final Logger LOG = Logger.getLogger(NodeSweep.class.getName());

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
            if (!node.equals(self) && redis.exists(RedisKeys.node(node)) == 0) {
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

    /** Takes the node's members out of its rooms, then forgets the node. */
    void sweep(String node) {
        String rooms = RedisKeys.nodeRooms(node);
        for (String room : redis.smembers(rooms)) {
            List<Object> held = redis.evalsha(sha, ScriptOutputType.MULTI, RedisKeys.room(room), script.argv("held", node));
            for (String name : RoomScript.strings(held)) {
                redis.evalsha(sha, ScriptOutputType.INTEGER, RedisKeys.room(room), script.argv("leave", name, node));
            }
        }
        redis.del(rooms, RedisKeys.node(node));
        redis.srem(RedisKeys.NODES, node);
    }
}
