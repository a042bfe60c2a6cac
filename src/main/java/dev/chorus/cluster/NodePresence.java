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
 * renewal that finds the key gone, or the node no longer listed, means this node was taken for dead;
 * and a node whose renewals Redis has not confirmed for long enough must give up its members before
 * the key can expire ({@link #isOverdue}).
 */
final class NodePresence implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodePresence.class.getName());

    private final long ttlMillis;
    private final RoomScript script;
    /** Sweeps dead nodes: a thread of its own, so that a long sweep never delays the renewal of this node's presence. */
    private final ExecutorService sweeps = Executors.newSingleThreadExecutor(LinkThreads.named("chorus-redis-sweep"));
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /**
     * How long after the last confirmed setting of the key was sent the node gives itself up: three
     * quarters of the TTL. The quarter kept before the key can expire spans several fence checks and
     * the drop itself even at the least TTL allowed, and a healthy node, which renews at its first tick
     * a third of the TTL on (half the TTL at the least TTL), still has a quarter of the TTL for Redis to answer.
     */
    private final long overdueNanos;
    /**
     * When the last setting of the key that Redis confirmed was sent ({@link System#nanoTime}): Redis
     * set the key no earlier, so the key lives at least until this plus the TTL.
     */
    private volatile long setSentAt;

    NodePresence(long ttlMillis, RoomScript script) {
        this.ttlMillis = ttlMillis;
        this.script = script;
        this.overdueNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis - ttlMillis / 4);
    }

    long ttlMillis() {
        return ttlMillis;
    }

    /** Sets the liveness key of a node that is linking, for one TTL. */
    void start(RedisClusterCommands<String, String> sync, String node) {
        long sentAt = System.nanoTime();
        sync.set(RedisKeys.node(node), "up", SetArgs.Builder.px(ttlMillis));
        setSentAt = sentAt;
    }

    /** Whether a third of the TTL has passed since the key was last set. */
    boolean isDue() {
        return System.nanoTime() - setSentAt >= TimeUnit.MILLISECONDS.toNanos(ttlMillis / 3);
    }

    /**
     * Whether the key may soon expire: the last setting Redis confirmed was sent too long ago
     * ({@link #overdueNanos}), so the node must give up its members now, before the others can
     * sweep it. Only for the life that {@link #start}ed last.
     */
    boolean isOverdue() {
        return System.nanoTime() - setSentAt >= overdueNanos;
    }

    /** Milliseconds since the last setting of the key that Redis confirmed was sent. */
    long sinceSetMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - setSentAt);
    }

    /**
     * Renews the key only if it is still there and the node still listed; false if either is gone:
     * the others took this node for dead (a pause longer than the key's life) and took its members
     * out of their rooms, so this life of the link is over.
     */
    boolean renew(RedisClusterCommands<String, String> sync, String node) {
        long sentAt = System.nanoTime();
        String renewed = sync.set(RedisKeys.node(node), "up", SetArgs.Builder.px(ttlMillis).xx());
        if (renewed == null || !sync.sismember(RedisKeys.NODES, node)) {
            return false;
        }
        setSentAt = sentAt;
        return true;
    }

    /** Sweeps dead nodes on the sweep thread, unless a sweep is still running, for at most a third of the TTL. */
    void sweepDeadBesides(RedisConnections redis, String sha, String node) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            sweeps.execute(() -> {
                try {
                    new NodeSweep(redis.sync(), redis.async(), sha, script).sweepDeadBesides(node, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ttlMillis / 3));
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
