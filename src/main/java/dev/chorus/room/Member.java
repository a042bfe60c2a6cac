package dev.chorus.room;

import dev.chorus.config.ChatSettings;
import dev.chorus.outbound.OutboundBudget;
import dev.chorus.outbound.Outbox;
import dev.chorus.outbound.Peer;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * One connection's place in one room. Identity is the object itself; the name is unique in the
 * room and is set once, when the room admits the member.
 */
public final class Member {

    private final Room room;
    private final Outbox outbox;
    private final SendAllowance allowance;
    private final InboundText inbound = new InboundText();
    private final AtomicBoolean released = new AtomicBoolean();
    /** This connection's messages a cluster has taken and not yet answered with an ack or an error. */
    private final AtomicInteger unanswered = new AtomicInteger();
    /** Names this connection apart from any other, on any node, whatever name it holds: a cluster acks by it. */
    private final String token = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    /** Set once the node has taken the member out of its room: no call to its user may find it after. */
    private volatile boolean left;
    private final BiConsumer<Member, Throwable> onSendFailure;
    private volatile String name;
    /** The user behind the connection (the principal, or the requested name): set once, when it is seated. */
    private volatile String user;
    /** When the client last showed it is there (a message or a pong), in System.nanoTime terms. */
    private volatile long heardAt;
    /** The id up to which a resuming client had messages: a cluster's log may still bring some of them. */
    private long seenUpTo;

    /**
     * A member whose outbox is bounded as {@code bounds} says, within the node's {@code budget},
     * and whose failed sends (or a shed of its outbox) reach {@code onSendFailure} on {@code departures}.
     */
    Member(Room room, Peer peer, SendAllowance allowance, ChatSettings.Outbound bounds, OutboundBudget budget,
            LongSupplier nanoTime, BiConsumer<Member, Throwable> onSendFailure, Executor departures) {
        this.room = room;
        this.allowance = allowance;
        this.onSendFailure = onSendFailure;
        this.outbox = new Outbox(peer, bounds.maxMessages(), bounds.maxChars(), budget, nanoTime, this::sendFailed,
                departures);
    }

    public String roomName() {
        return room.name();
    }

    /** The name the room gave this member: the requested one, or that with a {@code #n} suffix. */
    public String name() {
        return name;
    }

    void name(String name) {
        this.name = name;
    }

    public String token() {
        return token;
    }

    /**
     * Counts a message handed to a cluster's sequence until its ack or error goes out: the protocol
     * answers a connection's messages in the order it sent them, so a message refused at once must
     * not overtake the answers of those still out.
     */
    public void awaitAnswer() {
        unanswered.incrementAndGet();
    }

    /** The ack or the error of a message counted by {@link #awaitAnswer} went out. */
    public void answered() {
        unanswered.updateAndGet(count -> Math.max(0, count - 1));
    }

    /** Whether messages of this connection still await their ack or error. */
    public boolean awaitsAnswers() {
        return unanswered.get() > 0;
    }

    /** Whom the connection is for: the signed-in principal's name, or the name it asked for (no {@code #n} suffix). */
    public String user() {
        return user;
    }

    void user(String user) {
        this.user = user;
    }

    public Room room() {
        return room;
    }

    /** A send to this member failed, in its outbox or in a flush that threw: it is dropped as the room says. */
    void sendFailed(Throwable cause) {
        onSendFailure.accept(this, cause);
    }

    void leave() {
        left = true;
    }

    boolean hasLeft() {
        return left;
    }

    /** True the first time only: the connection's slot is given back exactly once. */
    public boolean release() {
        return released.compareAndSet(false, true);
    }

    /** False once the connection under this member has closed, reported or not. */
    public boolean isConnected() {
        return outbox.isConnected();
    }

    /** True once the container reported the connection closed. */
    boolean isReleased() {
        return released.get();
    }

    public void heard(long nowNanos) {
        heardAt = nowNanos;
    }

    /** In a cluster, the log position of this member's own join: presence before it was in its welcome. */
    private String joinedAt;

    /** Written under the room's write lock, read under its read lock. */
    public void seenUpTo(long id) {
        seenUpTo = id;
    }

    /** Written under the room's write lock, read under its read lock. */
    public void joinedAt(String position) {
        joinedAt = position;
    }

    public String joinedAt() {
        return joinedAt;
    }

    public long seenUpTo() {
        return seenUpTo;
    }

    public long heardAt() {
        return heardAt;
    }

    /** The message this member's client is sending, part by part. */
    public InboundText inbound() {
        return inbound;
    }

    public SendAllowance allowance() {
        return allowance;
    }

    public Outbox outbox() {
        return outbox;
    }

    @Override
    public String toString() {
        return name + " in " + room.name();
    }
}
