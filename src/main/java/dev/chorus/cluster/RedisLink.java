package dev.chorus.cluster;

import dev.chorus.config.ChatSettings;
import dev.chorus.room.Sequence;
import dev.chorus.room.Ticket;
import dev.chorus.room.UserCall;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's link to the Redis that a cluster's nodes share: every change to a room goes through
 * one script, so that Redis gives each room one order and contiguous ids, and the rooms this node
 * holds members in are followed ({@link RoomFeed}), their entries handed to a {@link RoomLogListener}.
 * When Redis is lost to it ({@link #dropIfBroken}) the link is dropped and the listener told
 * ({@link RoomLogListener#lost}); a tick every second links anew under a new node id. The link is
 * dropped too once Redis has not confirmed the node's presence for most of its TTL ({@link #fenceIfOverdue}),
 * before the others can take the node for dead. The client never retries by itself: a retried append
 * could number a message twice (docs/clustering.md).
 */
public final class RedisLink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);
    /** How long the Redis client's threads may take to stop once closed. */
    private static final long CLIENT_STOP_SECONDS = 2;
    /**
     * Messages this node hands Redis without an answer yet before it takes Redis for behind
     * ({@link #isBehind}). Far above what a node keeps in flight while Redis keeps up, and low
     * enough that the queue drains within the command timeout on a Redis a few times slower.
     */
    static final int MAX_SAYS_IN_FLIGHT = 256;
    /** How often the fence looks at the node's presence: a small part of the margin it keeps before the key expires. */
    private static final long FENCE_CHECK_MILLIS = 100;

    /** One connected life of the link: its connections, the node id it goes by, and when Redis last answered it. */
    private record Link(String node, RedisConnections redis, String sha, AtomicLong answeredAt) {

        Link(String node, RedisConnections redis, String sha) {
            this(node, redis, sha, new AtomicLong(System.nanoTime()));
        }

        void answered() {
            answeredAt.set(System.nanoTime());
        }
    }

    private final ClientResources resources;
    private final RedisURI redis;
    private final String where;
    private final int logLength;
    private final RoomLogListener listener;
    private final RoomFeed feed;
    private final RoomScript script;
    private final AtomicReference<Link> link = new AtomicReference<>();
    /** Runs the tick: a thread of its own, not the client's event executor, which linking to a Redis Cluster waits on. */
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(LinkThreads.named("chorus-redis-link"));
    /**
     * Runs the fence ({@link #fenceIfOverdue}): a thread of its own that never waits on Redis, since
     * the tick may wait on a renewal until the command times out, after the node's key expired.
     */
    private final ScheduledExecutorService fence = Executors.newSingleThreadScheduledExecutor(LinkThreads.named("chorus-redis-fence"));
    private final NodePresence presence;
    private final NodeRoomList listed;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicInteger saysInFlight = new AtomicInteger();
    private final AtomicLong refusedBehind = new AtomicLong();
    private volatile boolean everUp;
    private volatile boolean closed;
    private final Outages outages;

    /**
     * Starts linking to Redis at the URI, at once and then every second until it is up (the node
     * starts whether or not Redis is there); each room's log keeps about {@code logLength} entries.
     */
    public RedisLink(ChatSettings.Cluster cluster, int logLength, RoomLogListener listener) {
        this.redis = RedisURI.create(cluster.redisUri());
        redis.setTimeout(COMMAND_TIMEOUT);
        this.where = redis.getHost() + ":" + redis.getPort();
        this.outages = new Outages(where);
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.logLength = logLength;
        this.script = new RoomScript(logLength, TimeUnit.SECONDS.toMillis(cluster.emptyRoomTtlSeconds()));
        this.presence = new NodePresence(TimeUnit.SECONDS.toMillis(cluster.nodeTtlSeconds()), script);
        this.listed = new NodeRoomList(listener);
        this.listener = listener;
        this.feed = new RoomFeed(listener);
        ticks.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
        fence.scheduleWithFixedDelay(this::fenceIfOverdue, FENCE_CHECK_MILLIS, FENCE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
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
        return feed.received();
    }

    /** How often the link came back after it was first up. */
    public long reconnects() {
        return reconnects.get();
    }

    /** Commands Redis did not answer in time, which did not end the link ({@link #dropIfBroken}). */
    public long timeouts() {
        return timeouts.get();
    }

    /** Reads of a room's log (pages), by nodes catching up with a room they follow. */
    public long logReads() {
        return feed.reads();
    }

    /** From a message's sending (on whichever node) to this node reading it, for the last one read. */
    public long lagMillis() {
        return feed.lagMillis();
    }

    /**
     * Adds the member to the room across the cluster under the name, made unique there. Once it
     * answered, the caller calls {@link #seated} when the member is in the room here, or was let go.
     */
    public Ticket join(String room, String name, int namesPage) {
        Link current = up();
        listed.begin(room);
        try {
            // First, and waited for: a name this node holds in a room it has not listed could never be swept.
            answer(current, true, () -> current.redis().sync().sadd(RedisKeys.nodeRooms(current.node()), room));
            List<Object> reply = run(current, room, "join", name, current.node(), Integer.toString(namesPage));
            return RoomScript.ticket(reply);
        } catch (RuntimeException e) {
            end(room);
            throw e;
        }
    }

    /** A join that {@link #join} answered ended here: the member is in the room, or was let go. */
    public void seated(String room) {
        end(room);
    }

    /** A join or leave of the room ended: the node's list in Redis keeps the room only while needed. */
    private void end(String room) {
        Link current = link.get();
        listed.end(room, current == null ? null : current.redis(), current == null ? null : current.node());
    }

    /** The room's numbering and last messages, to follow it from, or ({@code read}) to show: then it starts nothing, drops nothing. */
    public Backlog backlog(String room, int messages, boolean read) {
        return RoomScript.backlog(run(up(), room, read ? "history" : "backlog", Integer.toString(logLength)), messages);
    }

    /** Follows a room this node just started to hold: entries after {@link RoomLogListener#position} reach the listener. */
    public void follow(String room) {
        feed.follow(room);
    }

    /**
     * Numbers the message and appends it to the room's log; every node, this one too, delivers it
     * when it reads it back. Completes with the id, or fails if Redis did not take it.
     */
    public CompletionStage<Long> say(String room, String from, String sender, String text, long sentAtMillis) {
        Link current = up();
        saysInFlight.incrementAndGet();
        CompletionStage<Long> id;
        try {
            id = current.redis().async().<Long>evalsha(current.sha(), ScriptOutputType.INTEGER,
                    RedisKeys.room(room), script.argv("say", from, text, Long.toString(sentAtMillis), current.node(), sender));
        } catch (RuntimeException e) {
            saysInFlight.decrementAndGet();
            throw e;
        }
        return id.whenComplete((ok, failure) -> {
            saysInFlight.decrementAndGet();
            if (failure == null) {
                current.answered();
                published.incrementAndGet();
            } else {
                dropIfBroken(current, failure);
            }
        });
    }

    /**
     * Whether Redis is behind: {@link #MAX_SAYS_IN_FLIGHT} of this node's messages await its
     * answer. A message refused then costs nothing; queued, it would only make every answer later,
     * until none came within the command timeout and the commands' connection looked dead.
     */
    public boolean isBehind() {
        return saysInFlight.get() >= MAX_SAYS_IN_FLIGHT;
    }

    /** Counts a message refused because Redis was behind; a WARNING at the first and every 1,000th. */
    public void countRefusedBehind() {
        if (refusedBehind.incrementAndGet() % 1000 == 1) {
            LOG.warning(() -> "Redis at " + where + " is behind: " + MAX_SAYS_IN_FLIGHT + " messages of this node await"
                    + " its answer, so messages are refused at once (" + refusedBehind.get() + " so far)");
        }
    }

    /** Messages refused because Redis was behind ({@link #isBehind}). */
    public long refusedBehind() {
        return refusedBehind.get();
    }

    /** Numbers a message the application publishes and appends it to the room's log; its id and the room's epoch. */
    public Posted post(String room, String from, String text, long sentAtMillis) {
        Link current = up();
        List<Object> reply = run(current, room, "post", from, text, Long.toString(sentAtMillis), current.node());
        published.incrementAndGet();
        return new Posted((Long) reply.get(0), (String) reply.get(1));
    }

    /** Hands the call to every node (this one too, which reads it back); how many nodes took it. */
    public long address(UserCall call) {
        Link current = up();
        return answer(current, true, () -> current.redis().sync().spublish(RedisKeys.USER_CALLS, UserCallJson.write(call)));
    }

    /**
     * Takes the member out of the room across the cluster; nothing if the link is down (its node
     * id is swept once its key expires). A leave Redis did not take is tried once more a second
     * later; if that fails too, the link is dropped, so that the name is swept with this life's
     * node id rather than held for good.
     */
    public void leave(String room, String name) {
        Link current = link.get();
        if (current == null) {
            return;
        }
        listed.begin(room);
        leave(current, room, name).whenComplete((ok, failure) -> {
            if (failure == null) {
                current.answered();
                end(room);
                return;
            }
            try {
                ticks.schedule(() -> {
                    if (link.get() != current) {
                        end(room);
                        return;
                    }
                    leave(current, room, name).whenComplete((again, still) -> {
                        if (still != null) {
                            drop(current, still);
                        }
                        end(room);
                    });
                }, 1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException closing) {
                end(room);
            }
        });
    }

    private CompletionStage<Long> leave(Link current, String room, String name) {
        return current.redis().async().evalsha(current.sha(), ScriptOutputType.INTEGER, RedisKeys.room(room),
                script.argv("leave", name, current.node()));
    }

    /** The room's count across the cluster and up to {@code limit} names after {@code after} (null: from the first). */
    public NamesPage names(String room, String after, int limit) {
        List<Object> reply = run(up(), room, "page", after == null ? "" : after, Integer.toString(limit));
        return RoomScript.names(reply);
    }

    /** Leaves every room this node holds members in, for the others to see at once, then lets go of Redis. */
    @Override
    public void close() {
        synchronized (this) {
            // Once: the application closes it when its servlet context ends, and again when its beans do.
            if (closed) {
                return;
            }
            closed = true;
        }
        ticks.shutdown();
        presence.close();
        try {
            // A tick still linking would otherwise leave a link behind after this.
            ticks.awaitTermination(COMMAND_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Link current = link.getAndSet(null);
            if (current != null) {
                try {
                    new NodeSweep(current.redis().sync(), current.redis().async(), current.sha(), script).sweepOnClose(current.node());
                    feed.detach();
                } finally {
                    current.redis().close();
                }
            }
        } finally {
            stopFence();
            stopClientThreads();
        }
    }

    /** Stops the fence's thread and waits for it, bounded: a thread left running would outlive the WAR. */
    private void stopFence() {
        fence.shutdownNow();
        try {
            fence.awaitTermination(CLIENT_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the Redis client's threads and waits for them, bounded, whatever the close did before:
     * a client thread still running after undeploy holds the application's class loader.
     */
    private void stopClientThreads() {
        try {
            resources.shutdown(0, CLIENT_STOP_SECONDS, TimeUnit.SECONDS).get(2 * CLIENT_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "The Redis client's threads did not stop on close", e);
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        Link current = link.get();
        try {
            if (current == null) {
                connect();
            } else {
                // The renewal first: tidying a node's many rooms must never make its presence late.
                if (presence.isDue()) {
                    renewOrDrop(current);
                }
                feed.tidy();
            }
        } catch (RuntimeException e) {
            if (current == null) {
                outages.notReached(e);
            } else {
                dropIfBroken(current, e);
            }
        }
    }

    /**
     * Drops this life of the link once Redis has not confirmed the node's presence for most of its
     * TTL ({@link NodePresence#isOverdue}): its members are told to reconnect before the key can
     * expire and the others can sweep the node and seat others under their names. Waiting for a
     * command to time out instead (a network that silently passes nothing) would leave each name
     * held twice, here and on another node, until it did.
     */
    private void fenceIfOverdue() {
        Link current = link.get();
        if (current == null || !presence.isOverdue()) {
            return;
        }
        try {
            drop(current, new IllegalStateException("Redis confirmed no renewal of node " + current.node()
                    + "'s presence for " + presence.sinceSetMillis() + " ms: the node gives up its members before its key"
                    + " can expire"));
        } catch (RuntimeException e) {
            // The next check goes on: a scheduled task that throws is never run again.
            LOG.log(Level.WARNING, "Could not send this node's members away as its presence ran out", e);
        }
    }

    private void connect() {
        String node = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        AtomicReference<Link> opened = new AtomicReference<>();
        RedisConnections connections = RedisConnections.open(resources, redis, COMMAND_TIMEOUT, () -> {
            Link life = opened.get();
            if (life != null) {
                drop(life, new IllegalStateException("a connection to Redis closed"));
            }
        });
        String sha;
        try {
            sha = connections.load(RoomScript.TEXT);
            presence.start(connections.presence(), node);
            connections.presence().sadd(RedisKeys.NODES, node);
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        Link fresh = new Link(node, connections, sha);
        opened.set(fresh);
        link.set(fresh);
        if (!connections.isOpen()) {
            // Closed before `opened` was set, when its listener could not drop it yet.
            drop(fresh, new IllegalStateException("a connection to Redis closed"));
            return;
        }
        if (everUp) {
            reconnects.incrementAndGet();
        }
        everUp = true;
        outages.ended();
        LOG.info(() -> "Linked to Redis at " + where + " as node " + node);
        feed.attach(connections, failure -> dropIfBroken(fresh, failure));
    }

    /**
     * Renews the node's presence and sweeps dead nodes; a node the others took for dead ends this
     * life of the link: its members must reconnect, and the next life links under a new node id.
     * The renewal goes on the presence's own connection, so it answers only for that one: a ping
     * on the commands' connection tells whether Redis still answers there ({@link #dropIfBroken}),
     * even on a node that sends nothing else.
     */
    private void renewOrDrop(Link current) {
        if (!presence.renew(current.redis().presence(), current.node())) {
            drop(current, new IllegalStateException("node " + current.node() + " was taken for dead (its presence expired"
                    + " before it was renewed, after a pause longer than chorus.cluster.node-ttl-seconds?)"));
            return;
        }
        current.redis().async().ping().whenComplete((pong, failure) -> {
            if (failure == null) {
                current.answered();
            } else {
                dropIfBroken(current, failure);
            }
        });
        presence.sweepDeadBesides(current.redis(), current.sha(), current.node());
    }

    /** This life's node id, or null while the link is down. */
    String node() {
        Link current = link.get();
        return current == null ? null : current.node();
    }

    /** This life's connections, or null while the link is down. */
    RedisConnections connections() {
        Link current = link.get();
        return current == null ? null : current.redis();
    }

    /** Runs a room operation and waits for its answer. */
    private List<Object> run(Link current, String room, String operation, String... arguments) {
        // A read for HTTP ("page", "history") that fails says nothing of the link (a closed one drops by its listener).
        boolean judgesLink = !operation.equals("page") && !operation.equals("history");
        return answer(current, judgesLink, () -> current.redis().sync().evalsha(current.sha(), ScriptOutputType.MULTI,
                RedisKeys.room(room), script.argv(operation, arguments)));
    }

    /**
     * Runs a command and waits for its answer; one that fails is Unavailable to the caller and,
     * if {@code judgesLink}, drops the link when the failure says it is broken.
     */
    private <T> T answer(Link current, boolean judgesLink, Supplier<T> command) {
        try {
            T answer = command.get();
            current.answered();
            return answer;
        } catch (RuntimeException e) {
            if (judgesLink) {
                dropIfBroken(current, e);
            }
            throw new Sequence.Unavailable("Redis did not answer: " + e.getMessage(), e);
        }
    }

    private Link up() {
        Link current = link.get();
        if (current == null) {
            throw new Sequence.Unavailable("Redis at " + where + " is not reached", null);
        }
        return current;
    }

    /**
     * Ends the link on any failure but an answer from Redis (a script error, say) or a command it
     * was slow to answer: a closed connection, a shard not reached, or no answer to anything for the
     * node's TTL (by then the other nodes take this one for dead). A script Redis no longer has
     * (restarted, or a shard that took over) ends it too: the next link loads it again. A slow
     * command alone does not: one timeout under a burst of joins would send every member here away.
     */
    private void dropIfBroken(Link current, Throwable failure) {
        Throwable cause = cause(failure);
        if (cause instanceof RedisCommandTimeoutException && current.redis().isOpen()) {
            long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - current.answeredAt().get());
            if (silentMillis >= presence.ttlMillis()) {
                drop(current, new IllegalStateException("Redis answered nothing for " + silentMillis
                        + " ms, chorus.cluster.node-ttl-seconds or more: " + cause.getMessage(), cause));
            } else if (timeouts.incrementAndGet() % 1000 == 1) {
                LOG.warning(() -> "Redis at " + where + " is slow: a command waited more than " + COMMAND_TIMEOUT.toSeconds()
                        + " s (" + timeouts.get() + " so far); the link stays up while Redis answers others");
            }
            return;
        }
        if (!(cause instanceof RedisCommandExecutionException) || cause instanceof RedisNoScriptException
                || !current.redis().isOpen()) {
            drop(current, failure);
        }
    }

    /** Whether the failure is Redis not answering in time: the command may still have run. */
    static boolean timedOut(Throwable failure) {
        return cause(failure) instanceof RedisCommandTimeoutException;
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private void drop(Link current, Throwable failure) {
        if (!link.compareAndSet(current, null)) {
            return;
        }
        if (!closed) {
            LOG.log(Level.WARNING, "Lost the link to Redis at " + where + " (" + failure + "); members here are told"
                    + " to reconnect, and the node is not ready until the link is back");
        }
        feed.detach();
        current.redis().closeAsync();
        listener.lost();
    }
}
