package dev.chorus.room;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.OutboundBudget;
import dev.chorus.outbound.Outbox;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.Resume;
import dev.chorus.protocol.ServerEvents;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every live member, by room, and the fan-out between them: text in, through the {@link Room}
 * (members, numbering, history), into each member's {@link Outbox}, out to the container.
 * <p>
 * Lock rules: each room guards its members with its own read/write lock (see there); no thread
 * ever holds two rooms' locks, and none does network I/O under one. Every room operation fills a
 * {@link Fanout} under the lock; the frames are flushed, the members whose queue overflowed
 * evicted and their sockets closed after it is released. The map of rooms is a concurrent map;
 * handing a room's history over when the room retires or is recreated happens inside its atomic
 * per-key updates, so numbering never restarts while the history is retained.
 * <p>
 * Containers call back holding a connection's writer lock (Tyrus runs a failed send's completion,
 * and a close its own failed write caused, inline under it). A failed send only marks the outbox
 * there; its member leaves on the {@link Departures} threads, where the leave writes to the others
 * and closes those its event overflowed. A reported close leaves at once, and its leave flushes the
 * others, taking their writer locks. No deadlock: a flush writes only to a member whose turn it
 * holds ({@link Outbox}), so never to one Chorus is writing to; a leaving member's outbox is closed
 * before its leave is flushed; and a departed member is in no later fanout (WriterLockStressTest).
 * <p>
 * A member is evicted, and never written to again, when its socket closes or errors, when a send
 * to it fails, or when its queue overflows.
 * <p>
 * Joins, messages and leaves are put in order by the node's {@link Sequence}: numbered in this
 * JVM, or in Redis when {@code chorus.cluster.redis-uri} is set and rooms span the nodes sharing it.
 */
@ApplicationScoped
public class Rooms {

    private static final Logger LOG = Logger.getLogger(Rooms.class.getName());
    /** How long undeploy waits for departures under way: as long as a stop gives sockets to close. */
    private static final long DEPARTURES_STOP_SECONDS = 2;

    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    /**
     * Members the server closed whose close may still wait behind a send in flight (the one-writer
     * rule); the heartbeat's stuck-send sweep closes their sockets outright once that send is too old.
     */
    private final Set<Member> closing = ConcurrentHashMap.newKeySet();
    private final Users users = new Users();
    private final ChatSettings settings;
    private final HistoryBudget historyBudget;
    private final OutboundBudget outboundBudget;
    private final Clocks clocks;
    private final ChatMetrics metrics;
    private final Sequence sequence;
    /** The container's threads for the application (context set up, stopped with it); plain threads in tests. */
    @Resource
    ManagedThreadFactory threads;
    /** Where members whose send failed leave, off the container's thread that reported it. */
    private final Departures departures = new Departures(() -> threads != null ? threads : Executors.defaultThreadFactory());

    /** The node's rooms, ordered by the sequence {@code start} makes (this JVM's, or a cluster's). */
    @Inject
    public Rooms(ChatSettings settings, ChatMetrics metrics, Clocks clocks, Sequence.Start start) {
        this.settings = settings;
        this.metrics = metrics;
        this.historyBudget = new HistoryBudget(settings.history().totalMaxChars());
        this.outboundBudget = new OutboundBudget(settings.outbound().totalMaxChars());
        this.clocks = clocks;
        // Last: a cluster's sequence starts calling back into these rooms at once.
        this.sequence = start.of(this);
    }

    /** A single node's rooms, numbered in this JVM. */
    public Rooms(ChatSettings settings, ChatMetrics metrics, Clocks clocks) {
        this(settings, metrics, clocks, rooms -> new LocalSequence(rooms, settings, rooms.historyBudget(), clocks));
    }

    /** For the container's client proxy only. */
    protected Rooms() {
        this(ChatSettings.DEFAULTS, new ChatMetrics(), Clocks.SYSTEM);
    }

    /**
     * Adds the peer to the room under the name (made unique in the room), creating the room on
     * first use. The peer hears that it joined before anything is sent to it; then it gets the
     * welcome, and the others the join event.
     */
    public Member join(String roomName, String name, Resume resume, Peer peer) {
        return join(roomName, name, resume, peer, member -> { });
    }

    /** As {@link #join(String, String, Resume, Peer)}; {@code seated} hears of the member before anything is sent to it. */
    public Member join(String roomName, String name, Resume resume, Peer peer, Consumer<Member> seated) {
        return sequence.join(roomName, name, resume, peer, member -> {
            member.user(name);
            users.add(member);
            // A leave that ran between the room's admission and here found nothing to remove: undo the add.
            if (member.hasLeft()) {
                users.remove(member);
            }
            seated.accept(member);
        });
    }

    /** A member of the room: its outbox bounded and its send failures reported as the settings say. */
    public Member newMember(Room room, Peer peer) {
        long now = clocks.nanoTime();
        SendAllowance allowance = new SendAllowance(settings.inbound().messagesPerSecond(), settings.inbound().burst(), now);
        Member member = new Member(room, peer, allowance, settings.outbound(), outboundBudget, clocks::nanoTime,
                this::dropAfterSendFailure, departures);
        member.heard(now);
        return member;
    }

    /** Removes the member; the others get the leave event. Leaving twice is harmless. */
    public void leave(Member member) {
        leave(member, null, false);
    }

    /** Publishes the application's message in the room, whoever is in it (see {@link Sequence#post}). */
    public Published post(String roomName, String from, String text) {
        return sequence.post(roomName, from, text);
    }

    /** One page of the room's kept messages after {@code since}; null if it keeps none. */
    public HistoryPage history(String roomName, long since, int limit) {
        return sequence.history(roomName, since, limit);
    }

    /** Sends the text to every other member of the sender's room, and the ack to the sender. */
    public void publish(Member sender, String text) {
        publish(sender, text, message -> { });
    }

    /** As {@link #publish(Member, String)}; {@code accepted} gets the message once it has its id. */
    public void publish(Member sender, String text, Consumer<ChatMessage> accepted) {
        sequence.publish(sender, text, accepted);
    }

    /**
     * Hands the call to every connection of its user on every node; the count of this node's
     * connections it reached, or empty where other nodes reach theirs (a cluster).
     *
     * @throws Sequence.Unavailable if the cluster's Redis cannot be reached: nobody was reached
     */
    public OptionalLong address(UserCall call) {
        return sequence.address(call);
    }

    /** Carries out the call on this node's connections of its user: how many it reached. */
    public int deliver(UserCall call) {
        List<Member> reached = users.of(call.user());
        if (call.kind() == UserCall.Kind.DISCONNECT) {
            reached.forEach(member -> dismiss(member, CloseReasons.disconnected(call.text())));
        } else {
            Fanout fanout = fanout();
            String notice = ServerEvents.notice(call.from(), call.text(), clocks.wall().instant());
            reached.forEach(member -> fanout.offer(member, notice));
            fanout.complete();
        }
        return reached.size();
    }

    /** How many users have a connection on this node. */
    public int users() {
        return users.size();
    }

    /** Queues an error event to one member; its connection stays open. */
    public void refuse(Member member, String code, String reason) {
        Fanout fanout = fanout();
        fanout.offer(member, ServerEvents.error(code, reason));
        fanout.complete();
    }

    /**
     * Closes the named member's connection with 1012 (service restart), which tells a client to
     * reconnect and resume. False if no such member is in the room, or if it left meanwhile
     * (another request was first): each member is reconnected once.
     */
    public boolean reconnect(String roomName, String memberName) {
        Room room = rooms.get(roomName);
        Member member = room == null ? null : room.member(memberName);
        return member != null && dismiss(member, CloseReasons.RECONNECT);
    }

    /** Up to {@code limit} of the room's names after {@code after} (null: the first); null if nobody is in. */
    public MembersPage members(String roomName, String after, int limit) {
        return sequence.members(roomName, after, Math.min(limit, Room.MEMBERS_PAGE));
    }

    /** What all rooms' histories keep, and what their budgets made them forget. */
    public HistoryBudget historyBudget() {
        return historyBudget;
    }

    /** The characters queued in all outboxes of this node, and their total. */
    public OutboundBudget outboundBudget() {
        return outboundBudget;
    }

    /** Whether this node can serve: always on its own; in a cluster, while its link to Redis is up. */
    public boolean isReady() {
        return sequence.isReady();
    }

    /** What orders this node's rooms. */
    public Sequence sequence() {
        return sequence;
    }

    /**
     * Waits a bounded time for the departures under way, then lets go of what orders the rooms (in a
     * cluster, the link to Redis and its client's threads): a departure tells the sequence. A failure
     * is logged here: the container reports a failed destroy without its cause.
     */
    @PreDestroy
    public void unlink() {
        try {
            if (!departures.stop(TimeUnit.SECONDS.toNanos(DEPARTURES_STOP_SECONDS))) {
                LOG.warning("A departure was still running at undeploy; interrupted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            sequence.close();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "Closing the rooms' sequence failed", e);
            throw e;
        }
    }

    /** The live room of that name on this node, or null. */
    public Room room(String roomName) {
        Room room = rooms.get(roomName);
        return room == null || room.isRetired() ? null : room;
    }

    /** The rooms live on this node. */
    public List<Room> live() {
        return rooms.values().stream().filter(room -> !room.isRetired()).toList();
    }

    /**
     * The live room of that name, or the one {@code fresh} makes (handed the retired room it
     * replaces, or null) if there is none: atomically, so that two joins never make two rooms.
     */
    public Room settle(String roomName, UnaryOperator<Room> fresh) {
        return rooms.compute(roomName, (key, found) -> found != null && !found.isRetired() ? found : fresh.apply(found));
    }

    /**
     * Drops a retired room from the node's rooms, if it is still the one under its name, and lets
     * the sequence keep its history (inside the map's atomic update, so numbering never restarts
     * while the history is retained).
     */
    public void forget(Room room) {
        rooms.computeIfPresent(room.name(), (key, current) -> {
            if (current == room) {
                sequence.retire(room);
                return null;
            }
            return current;
        });
    }

    /** A fanout whose completion counts its deliveries and evicts the members that overflowed. */
    public Fanout fanout() {
        return new Fanout(metrics, this::evict);
    }

    /**
     * As {@link #fanout()}, but the members that overflowed are evicted on {@code evictions}: for a
     * thread that must not wait on a container's locks, which an eviction's closes and writes may.
     */
    public Fanout fanout(Executor evictions) {
        return new Fanout(metrics, (member, reason) -> evictions.execute(() -> evict(member, reason)));
    }

    /** Members on this node, across all rooms. */
    public int members() {
        return rooms.values().stream().mapToInt(Room::size).sum();
    }

    /** Rooms with at least one member. */
    public int rooms() {
        return rooms.size();
    }

    /** A snapshot of the members of every room, taken room by room under each room's read lock. */
    public List<Member> everyone() {
        List<Member> everyone = new ArrayList<>();
        rooms.values().forEach(room -> everyone.addAll(room.members()));
        return everyone;
    }

    /** Members closed with a reason whose close may still wait behind a send in flight. */
    public Set<Member> closing() {
        return closing;
    }

    /**
     * Empties every room at once, telling nobody, and returns who was in them: for a shutdown, when
     * all are being closed anyway (leave events would be n² frames nobody reads).
     */
    public List<Member> leaveAll() {
        List<Member> everyone = new ArrayList<>();
        rooms.forEach((name, room) -> {
            everyone.addAll(room.leaveAll());
            rooms.remove(name, room);
        });
        users.clear();
        return everyone;
    }

    /** Drops the member at once: what is queued for it is discarded (it is broken or too slow). */
    public void evict(Member member, CloseReason reason) {
        leave(member, reason, false);
    }

    /** Sends the member what is queued for it, then closes with the reason; false if it had left already. */
    public boolean dismiss(Member member, CloseReason reason) {
        return leave(member, reason, true);
    }

    /**
     * Takes the member out of its room first, so that no broadcast finds it any more, then closes
     * its outbox: with the reason (if any) once no send is in flight, after sending what is queued
     * if {@code afterQueued}. True if this call took it out, false if it had left already.
     */
    private boolean leave(Member member, CloseReason reason, boolean afterQueued) {
        Room room = member.room();
        Fanout fanout = fanout();
        Room.Departure departure = room.leave(member, fanout);
        member.leave();
        users.remove(member);
        if (departure == Room.Departure.EMPTIED) {
            forget(room);
        }
        if (departure != Room.Departure.NOT_A_MEMBER) {
            sequence.left(room, member);
        }
        if (reason != null && !member.isReleased()) {
            closing.add(member);
        }
        if (afterQueued) {
            member.outbox().closeAfterQueued(reason);
        } else {
            member.outbox().close(reason);
        }
        fanout.complete();
        return departure != Room.Departure.NOT_A_MEMBER;
    }

    private void dropAfterSendFailure(Member member, Throwable cause) {
        LOG.log(Level.FINE, "Send to {0} failed, dropping it: {1}", new Object[] {member, cause});
        evict(member, CloseReasons.SEND_FAILED);
    }
}
