package dev.chorus.room;

import dev.chorus.cluster.RedisRooms;
import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.edge.SendAllowance;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.Outbox;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.Resume;
import dev.chorus.protocol.ServerEvents;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
 * and a close its own failed write caused, inline under it); the leave that follows flushes the
 * others, taking their writer locks. No deadlock: a flush writes only to a member whose turn it
 * holds ({@link Outbox}), so never to one Chorus is writing to; a leaving member's outbox is closed
 * before its leave is flushed; and a discharged member is in no later fanout (WriterLockStressTest).
 * <p>
 * A member is evicted, and never written to again, when its socket closes or errors, when a send
 * to it fails, or when its queue overflows.
 * <p>
 * With {@code chorus.cluster.redis-uri} set, rooms span the nodes sharing that Redis: what
 * differs then is in {@link SharedRooms}.
 */
@ApplicationScoped
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());

    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    /**
     * Members the server closed whose close may still wait behind a send in flight (the one-writer
     * rule); the heartbeat's stuck-send sweep closes their sockets outright once that send is too old.
     */
    private final Set<Member> closing = ConcurrentHashMap.newKeySet();
    private final ChatSettings settings;
    private final HistoryBudget historyBudget;
    private final RetainedHistories retained;
    private final Clocks clocks;
    private final ChatMetrics metrics;
    /** This node's part in a cluster's rooms, or null on a single node. */
    private final SharedRooms cluster;

    @Inject
    public SessionRegistry(ChatSettings settings, ChatMetrics metrics, Clocks clocks) {
        this.settings = settings;
        this.metrics = metrics;
        this.historyBudget = new HistoryBudget(settings.history().totalMaxChars());
        this.retained = new RetainedHistories(settings.history().retainedRooms(), historyBudget);
        this.clocks = clocks;
        // Last: the link starts calling back into this registry at once.
        this.cluster = settings.cluster().enabled() ? new SharedRooms(this, rooms, settings, historyBudget, clocks) : null;
    }

    /** For the container's client proxy only. */
    protected SessionRegistry() {
        this(ChatSettings.DEFAULTS, new ChatMetrics(), Clocks.SYSTEM);
    }

    /**
     * Adds the peer to the room under the name (made unique in the room), creating the room on
     * first use. The peer hears that it joined before anything is sent to it; then it gets the
     * welcome, and the others the join event.
     */
    public Member join(String roomName, String name, Resume resume, Peer peer) {
        if (cluster != null) {
            return cluster.join(roomName, name, resume, peer);
        }
        Fanout fanout = new Fanout();
        Member member;
        while (true) {
            Room room = rooms.compute(roomName, (key, found) -> found != null && !found.isRetired()
                    ? found
                    : new Room(key, historyFor(key, found), clocks.wall()));
            member = newMember(room, peer);
            if (room.admit(member, name, resume, fanout)) {
                break;
            }
        }
        peer.joined(member);
        complete(fanout);
        return member;
    }

    Member newMember(Room room, Peer peer) {
        long now = clocks.nanoTime();
        SendAllowance allowance = new SendAllowance(settings.inbound().messagesPerSecond(), settings.inbound().burst(), now);
        Member member = new Member(room, peer, allowance, settings.outbound(), clocks::nanoTime, this::dropAfterSendFailure);
        member.heard(now);
        return member;
    }

    /** Removes the member; the others get the leave event. Leaving twice is harmless. */
    public void leave(Member member) {
        leave(member, null, false);
    }

    /** Sends the text to every other member of the sender's room, and the ack to the sender. */
    public void broadcast(Member sender, String text) {
        if (cluster != null) {
            cluster.say(sender, text);
            return;
        }
        Fanout fanout = new Fanout();
        sender.joined().deliver(sender, text, fanout);
        complete(fanout);
    }

    /** Queues an error event to one member; its connection stays open. */
    public void refuse(Member member, String code, String reason) {
        Fanout fanout = new Fanout();
        fanout.offer(member, ServerEvents.error(code, reason));
        complete(fanout);
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
        if (cluster != null) {
            return cluster.members(roomName, after, Math.min(limit, Room.MEMBERS_PAGE));
        }
        Room room = rooms.get(roomName);
        return room == null ? null : room.members(after, Math.min(limit, Room.MEMBERS_PAGE));
    }

    /** What all rooms' histories keep, and what their budgets made them forget. */
    public HistoryBudget historyBudget() {
        return historyBudget;
    }

    /** Whether this node can serve: always on its own; in a cluster, while its link to Redis is up. */
    public boolean isReady() {
        return cluster == null || cluster.link().isUp();
    }

    /** The link to the cluster's Redis, or null on a single node. */
    public RedisRooms cluster() {
        return cluster == null ? null : cluster.link();
    }

    @PreDestroy
    public void unlink() {
        Optional.ofNullable(cluster()).ifPresent(RedisRooms::close);
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
    public List<Member> dischargeAll() {
        List<Member> everyone = new ArrayList<>();
        rooms.forEach((name, room) -> {
            everyone.addAll(room.dischargeAll());
            rooms.remove(name, room);
        });
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
     * Flushes every member the fanout queued to; evicts those whose queue overflowed. A flush that
     * throws drops that one member (1011) and the others are still flushed.
     */
    public void flushAndEvict(Fanout fanout) {
        int deepest = 0;
        for (Member member : fanout.accepted()) {
            deepest = Math.max(deepest, member.outbox().queued());
        }
        fanout.flush(this::flush);
        // Once per fanout: each call goes through the bean's client proxy (measured 4% of a
        // broadcasting node's CPU when it was called once per member).
        metrics.observeOutboxDepth(deepest);
        for (Member member : fanout.overflowed()) {
            metrics.outboxOverflowed();
            evict(member, CloseReasons.QUEUE_FULL);
        }
    }

    /**
     * Takes the member out of its room first, so that no broadcast finds it any more, then closes
     * its outbox: with the reason (if any) once no send is in flight, after sending what is queued
     * if {@code afterQueued}. True if this call took it out, false if it had left already.
     */
    private boolean leave(Member member, CloseReason reason, boolean afterQueued) {
        Room room = member.joined();
        Fanout fanout = new Fanout();
        Room.Discharge discharge = room.discharge(member, fanout);
        if (discharge == Room.Discharge.EMPTIED) {
            rooms.computeIfPresent(room.name(), (key, current) -> {
                if (current != room) {
                    return current;
                }
                if (cluster == null) {
                    retained.retain(key, room.history());
                } else {
                    // Redis keeps the cluster's history; the next member here reads it back from there.
                    room.history().discard();
                }
                return null;
            });
        }
        if (cluster != null && discharge != Room.Discharge.NOT_A_MEMBER) {
            cluster.link().leave(room.name(), member.name());
        }
        if (reason != null && !member.isReleased()) {
            closing.add(member);
        }
        if (afterQueued) {
            member.outbox().closeAfterQueued(reason);
        } else {
            member.outbox().close(reason);
        }
        complete(fanout);
        return discharge != Room.Discharge.NOT_A_MEMBER;
    }

    private RoomHistory historyFor(String roomName, Room retiredRoom) {
        if (retiredRoom != null) {
            return retiredRoom.history();
        }
        RoomHistory history = retained.reclaim(roomName);
        return history != null ? history
                : new RoomHistory(roomName, settings.history().size(), settings.history().maxChars(), historyBudget);
    }

    /** Counts the frames as deliveries, then flushes them. */
    void complete(Fanout fanout) {
        metrics.delivered(fanout.accepted().size());
        flushAndEvict(fanout);
    }

    private void flush(Member member) {
        try {
            member.outbox().flush();
        } catch (RuntimeException e) {
            dropAfterSendFailure(member, e);
        }
    }

    private void dropAfterSendFailure(Member member, Throwable cause) {
        LOG.log(Level.FINE, "Send to {0} failed, dropping it: {1}", new Object[] {member, cause});
        evict(member, CloseReasons.SEND_FAILED);
    }
}
