package dev.chorus.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's link to the Redis that the nodes of a cluster share: it writes every change to a
 * room through one script (so that Redis gives each room one order and contiguous ids) and reads
 * the logs of the rooms this node has members in, handing their entries to a {@link Listener}.
 * <p>
 * Keys, per room {@code R}, all under the hash tag {@code {R}} so Redis Cluster keeps a room on
 * one shard: {@code chorus:{R}:state}, {@code :log} (a stream, trimmed to about
 * {@code logLength} entries), {@code :names}, {@code :owners}. Per node {@code N}:
 * {@code chorus:node:{N}} (its liveness, with a TTL it renews), {@code :rooms} (where it has
 * members) and {@code :wake} (a stream that ends its blocking read when it follows a new room);
 * {@code chorus:nodes} lists the nodes.
 * <p>
 * Failure rules: the client never reconnects or retries by itself (a retried append could number
 * a message twice). When a command on the link fails for its connection, or the blocking read
 * does, the link is dropped and the listener told ({@link Listener#lost}); a tick every second
 * connects anew, under a new node id, so that what Redis still holds of the old one is swept
 * like a dead node's. Readiness is simply whether a link is up.
 */
public final class RedisRooms implements AutoCloseable {

    /** What the link asks of, and tells, the node's rooms. */
    public interface Listener {

        /** Each room this node follows, with the log position of the last entry it applied. */
        Map<String, String> positions();

        /** Entries of one room's log, in log order, after the position the room gave. */
        void relayed(String room, List<RoomEntry> entries);

        /** The link dropped: what the rooms showed may have missed entries, so their members must reconnect. */
        void lost();
    }

    /** Redis cannot be reached now; the node says so to the client instead of guessing. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger LOG = Logger.getLogger(RedisRooms.class.getName());
    private static final String SCRIPT = script("room.lua");
    private static final String NODES = "chorus:nodes";
    /** A blocking read returns at least this often, so that a new room or a dead link is noticed. */
    private static final long BLOCK_MILLIS = 1000;
    private static final int READ_BATCH = 512;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

    /** One connected life of the link: its connections and the node id it goes by. */
    private record Link(String node, StatefulRedisConnection<String, String> commands,
            StatefulRedisConnection<String, String> reader, String sha) {
    }

    private final ClientResources resources;
    private final RedisClient client;
    private final String where;
    private final int logLength;
    private final long nodeTtlMillis;
    private final Listener listener;
    private final AtomicReference<Link> link = new AtomicReference<>();
    private final ScheduledFuture<?> ticks;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private volatile boolean everUp;
    private volatile boolean closed;
    private long lastRenewal;
    private String lastFailure;

    /**
     * Starts linking to Redis at the URI, at once and then every second until it is up (the node
     * starts whether or not Redis is there).
     *
     * @param logLength about how many entries each room's log keeps (messages and presence)
     */
    public RedisRooms(String uri, int logLength, int nodeTtlSeconds, Listener listener) {
        RedisURI redis = RedisURI.create(uri);
        redis.setTimeout(COMMAND_TIMEOUT);
        this.where = redis.getHost() + ":" + redis.getPort();
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources, redis);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        this.logLength = logLength;
        this.nodeTtlMillis = TimeUnit.SECONDS.toMillis(nodeTtlSeconds);
        this.listener = listener;
        this.ticks = resources.eventExecutorGroup().scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
    }

    /** Whether the link is up: the node serves rooms only then. */
    public boolean isUp() {
        return link.get() != null;
    }

    /** Messages this node appended to a room's log. */
    public long published() {
        return published.get();
    }

    /** Log entries this node read and handed to its rooms. */
    public long received() {
        return received.get();
    }

    /** How often the link came back after it was first up. */
    public long reconnects() {
        return reconnects.get();
    }

    /** From a message's sending (on whichever node) to this node reading it, for the last one read. */
    public long lagMillis() {
        return lagMillis.get();
    }

    /** Adds the member to the room across the cluster under the name, made unique there. */
    public Ticket join(String room, String name, int namesPage) {
        Link current = up();
        List<Object> reply = run(current, room, "join", name, current.node(), Integer.toString(namesPage));
        current.commands().async().sadd(nodeKey(current.node()) + ":rooms", room);
        return new Ticket((String) reply.get(0), ((Long) reply.get(1)).intValue(), (String) reply.get(2),
                (Long) reply.get(3), strings(reply.get(4)), (String) reply.get(5));
    }

    /** The room's numbering and its last {@code messages} messages, to start following it from. */
    public Backlog backlog(String room, int messages) {
        Link current = up();
        List<Object> reply = run(current, room, "backlog", Integer.toString(logLength));
        List<?> newestFirst = (List<?>) reply.get(2);
        List<RoomEntry> kept = new ArrayList<>();
        for (Object raw : newestFirst) {
            RoomEntry entry = RoomEntry.of((List<?>) raw);
            if (entry != null && entry.kind() == RoomEntry.Kind.MESSAGE && kept.size() < messages) {
                kept.add(0, entry);
            }
        }
        String position = newestFirst.isEmpty() ? "0-0" : (String) ((List<?>) newestFirst.get(0)).get(0);
        return new Backlog((String) reply.get(0), (Long) reply.get(1), position, kept);
    }

    /** Ends the node's blocking read, so that it reads a room it just started following. */
    public void wake() {
        Link current = link.get();
        if (current != null) {
            current.commands().async().xadd(nodeKey(current.node()) + ":wake", XAddArgs.Builder.maxlen(16), "w", "1");
        }
    }

    /**
     * Numbers the message and appends it to the room's log; every node, this one too, delivers it
     * when it reads it back. Completes with the id, or fails if Redis did not take it.
     */
    public CompletionStage<Long> say(String room, String from, String text, long sentAtMillis) {
        Link current = up();
        CompletionStage<Long> id = current.commands().async().<Long>evalsha(current.sha(), ScriptOutputType.INTEGER,
                keys(room), "say", freshEpoch(), Integer.toString(logLength), from, text, Long.toString(sentAtMillis),
                current.node());
        return id.whenComplete((ok, failure) -> {
            if (failure == null) {
                published.incrementAndGet();
            } else {
                dropIfBroken(current, failure);
            }
        });
    }

    /** Takes the member out of the room across the cluster; nothing if the link is down (the sweep will). */
    public void leave(String room, String name) {
        Link current = link.get();
        if (current != null) {
            current.commands().async().evalsha(current.sha(), ScriptOutputType.INTEGER, keys(room), "leave", freshEpoch(),
                    Integer.toString(logLength), name, current.node());
        }
    }

    /** The room's count across the cluster and up to {@code limit} names after {@code after} (null: from the first). */
    public NamesPage names(String room, String after, int limit) {
        List<Object> reply = run(up(), room, "page", after == null ? "" : after, Integer.toString(limit));
        return new NamesPage(((Long) reply.get(0)).intValue(), strings(reply.get(1)));
    }

    /** Leaves every room this node holds members in, for the others to see at once, then lets go of Redis. */
    @Override
    public void close() {
        closed = true;
        ticks.cancel(false);
        Link current = link.getAndSet(null);
        if (current != null) {
            try {
                sweep(current, current.node());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Could not take this node's members out of Redis on close", e);
            }
            current.commands().close();
            current.reader().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void tick() {
        if (closed) {
            return;
        }
        Link current = link.get();
        try {
            if (current == null) {
                connect();
            } else if (System.currentTimeMillis() - lastRenewal >= nodeTtlMillis / 3) {
                current.commands().sync().set(nodeKey(current.node()), "up", SetArgs.Builder.px(nodeTtlMillis));
                lastRenewal = System.currentTimeMillis();
                sweepDeadNodes(current);
            }
        } catch (RuntimeException e) {
            if (current == null) {
                notReached(e);
            } else {
                dropIfBroken(current, e);
            }
        }
    }

    private void connect() {
        String node = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        StatefulRedisConnection<String, String> commands = client.connect();
        StatefulRedisConnection<String, String> reader;
        try {
            reader = client.connect();
        } catch (RuntimeException e) {
            commands.close();
            throw e;
        }
        RedisCommands<String, String> sync = commands.sync();
        String sha = sync.scriptLoad(SCRIPT);
        sync.set(nodeKey(node), "up", SetArgs.Builder.px(nodeTtlMillis));
        sync.sadd(NODES, node);
        lastRenewal = System.currentTimeMillis();
        String wakeAt = sync.xadd(nodeKey(node) + ":wake", XAddArgs.Builder.maxlen(16), "w", "1");
        Link fresh = new Link(node, commands, reader, sha);
        link.set(fresh);
        if (everUp) {
            reconnects.incrementAndGet();
        }
        everUp = true;
        lastFailure = null;
        LOG.info(() -> "Linked to Redis at " + where + " as node " + node);
        read(fresh, wakeAt);
    }

    /** Logs why Redis is not reached, once per different reason, so a long outage does not flood the log. */
    private void notReached(RuntimeException e) {
        String reason = String.valueOf(e.getMessage());
        if (!reason.equals(lastFailure)) {
            lastFailure = reason;
            LOG.warning("Redis at " + where + " not reached (" + reason + "); this node reports itself not ready"
                    + " and tries again every second");
        }
    }

    /** One blocking read of every followed room's log and this node's wake stream; the next follows on completion. */
    private void read(Link current, String wakeAt) {
        if (link.get() != current) {
            return;
        }
        Map<String, String> positions = listener.positions();
        List<StreamOffset<String>> offsets = new ArrayList<>(positions.size() + 1);
        String wakeKey = nodeKey(current.node()) + ":wake";
        offsets.add(StreamOffset.from(wakeKey, wakeAt));
        positions.forEach((room, position) -> offsets.add(StreamOffset.from(logKey(room), position)));
        @SuppressWarnings("unchecked")
        StreamOffset<String>[] streams = offsets.toArray(StreamOffset[]::new);
        current.reader().async().xread(XReadArgs.Builder.block(BLOCK_MILLIS).count(READ_BATCH), streams)
                .whenComplete((messages, failure) -> {
                    if (failure != null) {
                        drop(current, failure);
                        return;
                    }
                    String wokenAt = wakeAt;
                    Map<String, List<RoomEntry>> byRoom = new LinkedHashMap<>();
                    for (StreamMessage<String, String> message : messages == null ? List.<StreamMessage<String, String>>of() : messages) {
                        if (message.getStream().equals(wakeKey)) {
                            wokenAt = message.getId();
                            continue;
                        }
                        RoomEntry entry = RoomEntry.of(message.getId(), message.getBody());
                        if (entry != null) {
                            byRoom.computeIfAbsent(roomOf(message.getStream()), room -> new ArrayList<>()).add(entry);
                        }
                    }
                    byRoom.forEach(this::handOver);
                    read(current, wokenAt);
                });
    }

    private void handOver(String room, List<RoomEntry> entries) {
        received.addAndGet(entries.size());
        RoomEntry last = entries.get(entries.size() - 1);
        if (last.sentAt() > 0) {
            lagMillis.set(Math.max(0, System.currentTimeMillis() - last.sentAt()));
        }
        try {
            listener.relayed(room, entries);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Relaying room " + room + " failed", e);
        }
    }

    /**
     * A dead node is one listed whose liveness key expired: its members leave every room it had
     * them in (each leave announced once, whoever sweeps), then it is forgotten.
     */
    private void sweepDeadNodes(Link current) {
        RedisCommands<String, String> sync = current.commands().sync();
        for (String node : sync.smembers(NODES)) {
            if (!node.equals(current.node()) && sync.exists(nodeKey(node)) == 0) {
                LOG.info(() -> "Node " + node + " stopped renewing its presence; its members leave");
                sweep(current, node);
            }
        }
    }

    private void sweep(Link current, String node) {
        RedisCommands<String, String> sync = current.commands().sync();
        String rooms = nodeKey(node) + ":rooms";
        for (String room : sync.smembers(rooms)) {
            for (String name : strings(run(current, room, "held", node))) {
                sync.evalsha(current.sha(), ScriptOutputType.INTEGER, keys(room), "leave", freshEpoch(),
                        Integer.toString(logLength), name, node);
            }
        }
        sync.del(rooms, nodeKey(node), nodeKey(node) + ":wake");
        sync.srem(NODES, node);
    }

    /** Runs a room operation and waits for its answer. */
    private List<Object> run(Link current, String room, String operation, String... arguments) {
        String[] argv = new String[arguments.length + 3];
        argv[0] = operation;
        argv[1] = freshEpoch();
        argv[2] = Integer.toString(logLength);
        System.arraycopy(arguments, 0, argv, 3, arguments.length);
        try {
            return current.commands().sync().evalsha(current.sha(), ScriptOutputType.MULTI, keys(room), argv);
        } catch (RuntimeException e) {
            dropIfBroken(current, e);
            throw new Unavailable("Redis did not answer: " + e.getMessage(), e);
        }
    }

    private Link up() {
        Link current = link.get();
        if (current == null) {
            throw new Unavailable("Redis at " + where + " is not reached", null);
        }
        return current;
    }

    /** A failure that left the connection closed ends the link; one that left it open (a script error) does not. */
    private void dropIfBroken(Link current, Throwable failure) {
        if (!current.commands().isOpen() || !current.reader().isOpen()
                || failure instanceof io.lettuce.core.RedisCommandTimeoutException) {
            drop(current, failure);
        }
    }

    private void drop(Link current, Throwable failure) {
        if (!link.compareAndSet(current, null)) {
            return;
        }
        if (!closed) {
            LOG.log(Level.WARNING, "Lost the link to Redis at " + where + " (" + failure + "); members here are told"
                    + " to reconnect, and the node is not ready until the link is back");
        }
        current.commands().closeAsync();
        current.reader().closeAsync();
        listener.lost();
    }

    private static String[] keys(String room) {
        String tag = "chorus:{" + room + "}";
        return new String[] {tag + ":state", logKey(room), tag + ":names", tag + ":owners"};
    }

    private static String logKey(String room) {
        return "chorus:{" + room + "}:log";
    }

    private static String roomOf(String logKey) {
        return logKey.substring("chorus:{".length(), logKey.length() - "}:log".length());
    }

    private static String nodeKey(String node) {
        return "chorus:node:{" + node + "}";
    }

    /** The epoch a room starts under if Redis has none for it: random, so two lives never share one. */
    private static String freshEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    private static List<String> strings(Object reply) {
        return ((List<?>) reply).stream().map(String.class::cast).toList();
    }

    private static String script(String name) {
        try (InputStream in = RedisRooms.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
