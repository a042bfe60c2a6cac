package dev.chorus.cluster;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's presence in Redis: its liveness key, renewed every third of its TTL, and the sweep
 * of the nodes whose key expired. The others sweep this node's members once its key expires, so a
 * renewal that finds the key gone, or the node no longer listed, means this node was taken for dead.
 */
final class NodePresence implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodePresence.class.getName());

    private final long ttlMillis;
    private final RoomScript script;
    /** Sweeps dead nodes: a thread of its own, so that a long sweep never delays the renewal of this node's presence. */
    private final ExecutorService sweeps = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "chorus-redis-sweep");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile long lastRenewal;

    NodePresence(long ttlMillis, RoomScript script) {
        this.ttlMillis = ttlMillis;
        this.script = script;
    }

    long ttlMillis() {
        return ttlMillis;
    }

    /** Sets the liveness key of a node that is linking, for one TTL. */
    void start(RedisClusterCommands<String, String> sync, String node) {
        sync.set(RedisKeys.node(node), "up", SetArgs.Builder.px(ttlMillis));
        lastRenewal = System.currentTimeMillis();
    }

    /** Whether a third of the TTL has passed since the key was last set. */
    boolean isDue() {
        return System.currentTimeMillis() - lastRenewal >= ttlMillis / 3;
    }

    /**
     * Renews the key only if it is still there and the node still listed; false if either is gone:
     * the others took this node for dead (a pause longer than the key's life) and took its members
     * out of their rooms, so this life of the link is over.
     */
    boolean renew(RedisClusterCommands<String, String> sync, String node) {
        String renewed = sync.set(RedisKeys.node(node), "up", SetArgs.Builder.px(ttlMillis).xx());
        if (renewed == null || !sync.sismember(RedisKeys.NODES, node)) {
            return false;
        }
        lastRenewal = System.currentTimeMillis();
        return true;
    }

    /** Sweeps dead nodes on the sweep thread, unless a sweep is still running, for at most a third of the TTL. */
    void sweepDeadBesides(RedisClusterCommands<String, String> sync, String sha, String node) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            sweeps.execute(() -> {
                try {
                    new NodeSweep(sync, sha, script).sweepDeadBesides(node, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMillis / 3));
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "A sweep of dead nodes stopped; the next renewal starts another", e);
                } finally {
                    sweeping.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            sweeping.set(false);
        }
    }

    /** Stops the sweep thread and waits for it, bounded: a thread left running would outlive the WAR. */
    @Override
    public void close() {
        sweeps.shutdownNow();
        try {
            sweeps.awaitTermination(ttlMillis / 3 + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
