package dev.chorus.room;

import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.Resume;
import dev.chorus.protocol.ServerEvents;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The members of one room, by name, and the room's history.
 * <p>
 * Lock rules: admitting and removing members take the write lock; a broadcast takes the read
 * lock and then the sequence lock, never the other way round. The read lock lets broadcasts run
 * while no membership changes; the sequence lock makes numbering a message, keeping it and
 * queueing it to every member one step, so that every member receives the room's messages in id
 * order (a client that resumes after id n must have seen every id up to n). Under either lock
 * only non-blocking queue work happens: sends, evictions and socket closes come after release.
 * <p>
 * A room that becomes empty is retired for good: it admits nobody any more, and whoever finds it
 * retired asks the registry for a fresh one. Without that, a join racing the removal of an empty
 * room could land in a room that is no longer reachable.
 * <p>
 * A room that follows a log (in a cluster) holds this node's members only; its {@link Sequence}
 * numbers the messages and orders them with joins and leaves in the room's log, and every node
 * (this one too) applies the log in that order ({@link #inOrder}), under the same locks, instead of
 * numbering and announcing itself.
 */
public final class Room {

    /**
     * Rooms up to this size announce every join and leave to every member; past it a wave of n
     * joins would cost n² frames nobody reads, and members learn the count from their welcome.
     */
    public static final int ANNOUNCED_UP_TO = 100;

    /** Names a welcome lists at most, and the members resource's page: bounded whatever the room's size. */
    public static final int MEMBERS_PAGE = 100;

    private final String name;
    private final RoomHistory history;
    private final Clock clock;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Lock sequence = new ReentrantLock();
    private final NavigableMap<String, Member> members = new TreeMap<>();
    private volatile boolean retired;
    /** The last entry of the room's log applied, in a room that follows a log (in Redis); null for a room numbered here. */
    private volatile String position;

    Room(String name, RoomHistory history, Clock clock) {
        this(name, history, clock, null);
    }

    /** A room of a cluster, which applies the room's log from {@code position} on. */
    public Room(String name, RoomHistory history, Clock clock, String position) {
        this.name = name;
        this.history = history;
        this.clock = clock;
        this.position = position;
    }

    /** The log position of the last entry applied (a room that follows a log only). */
    public String position() {
        return position;
    }

    /** Moves the log position on; called under {@link #inOrder}, entry after entry. */
    public void position(String applied) {
        position = applied;
    }

    public String name() {
        return name;
    }

    public RoomHistory history() {
        return history;
    }

    boolean isRetired() {
        return retired;
    }

    /**
     * Adds the member under the requested name, or that name with the first free {@code #n}
     * suffix; queues the welcome (preceded by a gap event if it resumes past what is kept) to it
     * and the join event to the others. False if this room is retired: find a fresh one.
     */
    public boolean admit(Member member, String requestedName, Resume resume, Fanout fanout) {
        return whileOpen(() -> {
            String unique = requestedName;
            for (int n = 2; members.containsKey(unique); n++) {
                unique = requestedName + "#" + n;
            }
            seat(member, unique, resume, history.nextId(), null, fanout);
            announce(members.size(), ServerEvents.join(name, unique, members.size()), member, fanout);
        });
    }

    /**
     * Adds a member the cluster admitted under the ticket's name, and queues its welcome with the
     * cluster's count and names. The others hear of it from the log. Messages the welcome's
     * history does not hold yet come from the log after it, except those the client had seen.
     * False if this room is retired: find a fresh one.
     */
    public boolean admit(Member member, Ticket ticket, Resume resume, Fanout fanout) {
        return whileOpen(() -> {
            member.joinedAt(ticket.position());
            member.seenUpTo(seat(member, ticket.name(), resume, Math.max(history.nextId(), ticket.lastId() + 1), ticket, fanout));
        });
    }

    /** Makes the change under the write lock unless the room is retired; false if it is. */
    private boolean whileOpen(Runnable change) {
        lock.writeLock().lock();
        try {
            if (!retired) {
                change.run();
            }
            return !retired;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Puts the member in under its name and queues its welcome: the room's count and first names
     * (the cluster's, from the ticket, if any) and the history after what a resuming client saw,
     * behind a gap if that is not all kept. Returns the id the client has seen up to.
     */
    private long seat(Member member, String unique, Resume resume, long nextId, Ticket ticket, Fanout fanout) {
        member.name(unique);
        members.put(unique, member);
        long seenUpTo = history.resumeFrom(resume, nextId, gap -> fanout.offer(member, gap));
        fanout.offer(member, ServerEvents.welcome(unique, name, history.epoch(),
                ticket == null ? members.size() : ticket.count(), ticket == null ? page(null, MEMBERS_PAGE) : ticket.names(),
                history.after(seenUpTo)));
        return seenUpTo;
    }

    /**
     * Runs the step with the members under the read lock and the sequence lock: the order in which
     * a room that follows a log applies its entries, as {@link #deliver} numbers messages, so that
     * every member receives them in id order. The step may only queue (through a fanout).
     */
    public <T> T inOrder(Function<Collection<Member>, T> step) {
        lock.readLock().lock();
        try {
            sequence.lock();
            try {
                return step.apply(members.values());
            } finally {
                sequence.unlock();
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What removing a member did. */
    enum Departure {
        /** It had left already: nothing changed. */
        NOT_A_MEMBER,
        /** It left; the others got the leave event. */
        LEFT,
        /** It was the last: the room is empty and retired. */
        EMPTIED
    }

    /**
     * Removes the member and queues the leave event to the others; the last one out retires
     * the room. A member that is not here any more changes nothing.
     */
    Departure leave(Member member, Fanout fanout) {
        boolean clustered = position != null;
        lock.writeLock().lock();
        try {
            if (!members.remove(member.name(), member)) {
                return Departure.NOT_A_MEMBER;
            }
            if (members.isEmpty()) {
                retired = true;
                return Departure.EMPTIED;
            }
            if (!clustered) {
                // A cluster's leave reaches every node through the room's log instead.
                announce(members.size(), ServerEvents.leave(name, member.name(), members.size()), member, fanout);
            }
            return Departure.LEFT;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Retires the room and takes every member out at once, telling nobody: for a shutdown, when
     * all of them are being closed anyway. Returns who was in it.
     */
    List<Member> leaveAll() {
        lock.writeLock().lock();
        try {
            retired = true;
            List<Member> everyone = new ArrayList<>(members.values());
            members.clear();
            return everyone;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Numbers and keeps the sender's text, queues the message to every other member and the ack
     * to the sender. The frame is serialized once, whatever the number of members. Nothing
     * happens (null) if the sender is no longer a member.
     */
    ChatMessage deliver(Member sender, String text, Fanout fanout) {
        return append(sender, sender.name(), text, fanout);
    }

    /**
     * Numbers and keeps a message the application publishes, in the room's order with its
     * members' messages, and queues it to every member. Null if this room is retired: find a fresh one.
     */
    ChatMessage post(String from, String text, Fanout fanout) {
        return append(null, from, text, fanout);
    }

    /** One message numbered, kept and queued under the read and sequence locks; null if the sender (or, without one, the room) is gone. */
    private ChatMessage append(Member sender, String from, String text, Fanout fanout) {
        return inOrder(all -> {
            if (sender == null ? retired : members.get(sender.name()) != sender) {
                return null;
            }
            ChatMessage message = history.number(from, text, clock.instant(), sender == null);
            String frame = ServerEvents.message(message);
            history.keep(message, frame);
            for (Member member : all) {
                fanout.offer(member, member == sender ? ServerEvents.ack(message) : frame);
            }
            return message;
        });
    }

    /** Retires the room if nobody is in it (a room made only to keep a published message); true if it is retired. */
    boolean retireIfEmpty() {
        return !whileOpen(() -> retired = members.isEmpty());
    }

    /** Queues a presence event to every member but the one it is about, if the room ({@code count}) is small enough. */
    private void announce(int count, String event, Member about, Fanout fanout) {
        if (count <= ANNOUNCED_UP_TO) {
            members.values().stream().filter(other -> other != about).forEach(other -> fanout.offer(other, event));
        }
    }

    /** Up to {@code limit} names in order, starting after {@code after} (null: from the first). */
    private List<String> page(String after, int limit) {
        Collection<String> names = after == null ? members.keySet() : members.tailMap(after, false).keySet();
        return names.stream().limit(limit).toList();
    }

    /**
     * One page of the members' names, in order, after {@code after} (null: from the first), with
     * the count: under the read lock, so the page and the count agree.
     */
    MembersPage members(String after, int limit) {
        return whileReading(() -> MembersPage.of(members.size(), page(after, limit + 1), limit));
    }

    /** The member with this name, or null. */
    public Member member(String memberName) {
        return whileReading(() -> members.get(memberName));
    }

    public List<Member> members() {
        return whileReading(() -> new ArrayList<>(members.values()));
    }

    int size() {
        return whileReading(members::size);
    }

    private <T> T whileReading(Supplier<T> read) {
        lock.readLock().lock();
        try {
            return read.get();
        } finally {
            lock.readLock().unlock();
        }
    }
}
