package dev.chorus.cluster;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The connections of one connected life of a node's link to Redis, whether that is one server or
 * a Redis Cluster: commands (in a cluster each goes to the shard that holds its keys' hash tag, so
 * a room's script runs where the room lives), the node's presence, the connection pushes arrive on,
 * and subscribing to a room's shard channel on the shard that holds it. The presence has a
 * connection of its own so that its renewal never waits behind the joins and reads queued on the
 * commands' one: a node whose renewal came late gives its members up. Which of the two it is, Redis says
 * ({@code INFO cluster}), so one URI setting serves both: any one node of a cluster is enough.
 * <p>
 * Each life has a client of its own, so that a connection of it that closes, to whichever shard,
 * ends that life and no later one. The client never reconnects by itself: a retried append could
 * number a message twice.
 */
abstract sealed class RedisConnections implements AutoCloseable {

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> commands;
    private final StatefulConnection<String, String> presence;
    private final StatefulRedisPubSubConnection<String, String> pushes;
    private final RedisClusterCommands<String, String> sync;
    private final RedisClusterCommands<String, String> presenceSync;
    private final RedisClusterAsyncCommands<String, String> async;
    /** Every connection of this life whose close ends it. */
    private final Set<RedisChannelHandler<?, ?>> watched = ConcurrentHashMap.newKeySet();

    private RedisConnections(AbstractRedisClient client, StatefulConnection<String, String> commands,
            RedisClusterCommands<String, String> sync, RedisClusterAsyncCommands<String, String> async,
            StatefulConnection<String, String> presence, RedisClusterCommands<String, String> presenceSync,
            StatefulRedisPubSubConnection<String, String> pushes) {
        this.client = client;
        this.commands = commands;
        this.sync = sync;
        this.async = async;
        this.presence = presence;
        this.presenceSync = presenceSync;
        this.pushes = pushes;
        watch(commands);
        watch(presence);
        watch(pushes);
    }

    /**
     * Connects to the Redis at the URI, or to the cluster it is a node of. {@code closed} runs
     * when a connection of this life closes unasked.
     *
     * @throws RuntimeException if Redis is not reached
     */
    static RedisConnections open(ClientResources resources, RedisURI redis, Duration timeout, Runnable closed) {
        RedisClient client = RedisClient.create(resources, redis);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        RedisConnections opened;
        try {
            StatefulRedisConnection<String, String> commands = client.connect();
            if (commands.sync().info("cluster").contains("cluster_enabled:1")) {
                commands.close();
                opened = null;
            } else {
                StatefulRedisConnection<String, String> presence = another(client::connect, commands);
                opened = new OneServer(client, commands, presence, another(client::connectPubSub, commands, presence));
            }
        } catch (RuntimeException e) {
            release(client);
            throw e;
        }
        if (opened == null) {
            try {
                opened = Shards.open(resources, redis, timeout);
            } finally {
                // Only now: clients on shared resources share their event loops, shut down when
                // the last client lets go; this one holds them until the cluster client does too.
                release(client);
            }
        }
        opened.listen(closed);
        return opened;
    }

    /** Commands, each sent where its keys live. */
    RedisClusterCommands<String, String> sync() {
        return sync;
    }

    RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    /** Where pushes arrive: its listeners hear every shard channel this life subscribed to. */
    StatefulRedisPubSubConnection<String, String> pushes() {
        return pushes;
    }

    /** The node's presence: its key's renewal and the list of nodes, on a connection of their own. */
    RedisClusterCommands<String, String> presence() {
        return presenceSync;
    }

    /** Subscribes to a shard channel on the server that holds its slot; completes once Redis confirmed it. */
    abstract CompletionStage<Void> subscribe(String channel);

    abstract void unsubscribe(String channel);

    /** Loads the script into every server that may run it; answers its SHA-1. */
    abstract String load(String script);

    /** False once the commands', the presence's or the pushes' connection has closed. */
    boolean isOpen() {
        return commands.isOpen() && presence.isOpen() && pushes.isOpen();
    }

    /** Closes every connection of this life, then its client. */
    @Override
    public void close() {
        commands.close();
        presence.close();
        pushes.close();
        release(client);
    }

    /** As {@link #close}, without waiting. */
    void closeAsync() {
        commands.closeAsync();
        presence.closeAsync();
        pushes.closeAsync().whenComplete((done, failure) -> release(client));
    }

    /** Lets a client go without waiting for it: the link's tick goes on meanwhile. */
    private static void release(AbstractRedisClient client) {
        client.shutdownAsync(0, 2, TimeUnit.SECONDS);
    }

    void watch(Object connection) {
        if (connection instanceof RedisChannelHandler<?, ?> handler) {
            watched.add(handler);
        }
    }

    private void listen(Runnable closed) {
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (watched.contains(connection)) {
                    closed.run();
                }
            }
        });
    }

    /** Opens another connection of this life; if it cannot, closes the ones opened before it. */
    @SafeVarargs
    private static <C extends StatefulConnection<String, String>> C another(Supplier<C> connect,
            StatefulConnection<String, String>... opened) {
        try {
            return connect.get();
        } catch (RuntimeException e) {
            for (StatefulConnection<String, String> connection : opened) {
                connection.close();
            }
            throw e;
        }
    }

    /** One Redis server: every key and channel lives there. */
    private static final class OneServer extends RedisConnections {

        OneServer(RedisClient client, StatefulRedisConnection<String, String> commands,
                StatefulRedisConnection<String, String> presence, StatefulRedisPubSubConnection<String, String> pushes) {
            super(client, commands, commands.sync(), commands.async(), presence, presence.sync(), pushes);
        }

        @Override
        CompletionStage<Void> subscribe(String channel) {
            return pushes().async().ssubscribe(channel);
        }

        @Override
        void unsubscribe(String channel) {
            pushes().async().sunsubscribe(channel);
        }

        @Override
        String load(String script) {
            return sync().scriptLoad(script);
        }
    }

    /**
     * A Redis Cluster. A room's keys and channel share its hash tag, so one shard holds all of
     * them; Lettuce sends each command to the shard of its first key. Each {@code SSUBSCRIBE} goes
     * out on the connection to the primary of the channel's slot, taken here rather than left to
     * the client so that this life watches it: with no reconnecting, a shard's pub/sub connection
     * that closed unheard would stop that shard's pushes without a word. The layout of the shards
     * is read when the life starts; a slot that moves later answers a command with a redirect,
     * which Lettuce follows, and a subscription with an error, which ends the life: the next one
     * reads the layout anew.
     */
    private static final class Shards extends RedisConnections {

        private final StatefulRedisClusterConnection<String, String> commands;
        private final StatefulRedisClusterPubSubConnection<String, String> pushes;

        private Shards(RedisClusterClient client, StatefulRedisClusterConnection<String, String> commands,
                StatefulRedisClusterConnection<String, String> presence, StatefulRedisClusterPubSubConnection<String, String> pushes) {
            super(client, commands, commands.sync(), commands.async(), presence, presence.sync(), pushes);
            this.commands = commands;
            this.pushes = pushes;
            // Pushes arrive on the connection to each shard; this hands them to the listeners of `pushes`.
            pushes.setNodeMessagePropagation(true);
        }

        static Shards open(ClientResources resources, RedisURI seed, Duration timeout) {
            RedisClusterClient client = RedisClusterClient.create(resources, seed);
            client.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(false)
                    // Lettuce connects to a shard on its first command, and would refuse that
                    // command while the connection is pending; one to a shard gone for good times
                    // out instead, which ends the life all the same.
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .build());
            try {
                StatefulRedisClusterConnection<String, String> commands = client.connect();
                StatefulRedisClusterConnection<String, String> presence = another(client::connect, commands);
                return new Shards(client, commands, presence, another(client::connectPubSub, commands, presence));
            } catch (RuntimeException e) {
                release(client);
                throw e;
            }
        }

        @Override
        CompletionStage<Void> subscribe(String channel) {
            RedisClusterNode primary = primaryOf(channel);
            if (primary == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("no shard serves the slot of " + channel));
            }
            return pushes.getConnectionAsync(primary.getNodeId()).thenCompose(shard -> {
                watch(shard);
                return shard.async().ssubscribe(channel);
            });
        }

        @Override
        void unsubscribe(String channel) {
            RedisClusterNode primary = primaryOf(channel);
            if (primary != null) {
                pushes.getConnectionAsync(primary.getNodeId()).thenAccept(shard -> shard.async().sunsubscribe(channel));
            }
        }

        private RedisClusterNode primaryOf(String channel) {
            return pushes.getPartitions().getMasterBySlot(SlotHash.getSlot(channel));
        }

        @Override
        String load(String script) {
            String sha = null;
            for (RedisClusterNode node : commands.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                    sha = commands.getConnection(node.getNodeId()).sync().scriptLoad(script);
                }
            }
            if (sha == null) {
                throw new IllegalStateException("the cluster lists no primary");
            }
            return sha;
        }
    }
}
