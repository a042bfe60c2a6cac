package dev.chorus.chat;

import dev.chorus.config.ChatSettings;
import dev.chorus.handshake.ConnectionQuota;
import dev.chorus.handshake.RemoteAddress;
import dev.chorus.protocol.JoinRequest;
import dev.chorus.protocol.ServerEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.Session;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every live connection, by room, and the fan-out of messages and presence between them.
 * <p>
 * Lock rules: each {@link Room} guards its members with its own read/write lock (see there); no
 * thread ever holds two rooms' locks, and none does network I/O under one. Every room operation
 * fills a {@link Fanout} under the lock; the frames are flushed, the members whose queue refused
 * a frame evicted and their sockets closed after it is released. The map of rooms is a
 * concurrent map; handing a room's history over when the room retires or is recreated happens
 * inside its atomic per-key updates, so numbering never restarts while the history is retained.
 * <p>
 * A member is evicted, and never written to again, when its socket closes or errors, when a send
 * to it fails, or when its queue refuses a frame.
 */
@ApplicationScoped
public class SessionRegistry {

    /** Where the container session keeps its member, so that every callback finds it. */
    static final String MEMBER = Member.class.getName();

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());
    /** How often {@link #closeAll} looks whether the closes have gone out. */
    private static final long SHUTDOWN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    /** Container sessions holding a slot under the connection limits, from join to close. */
    private final ConnectionQuota quota;
    /**
     * Members the server closed whose close may still wait behind a send in flight (the one-writer
     * rule); {@link #expireStuckSends} closes their sockets outright once that send is too old.
     */
    private final Set<Member> closing = ConcurrentHashMap.newKeySet();
    private final ChatSettings settings;
    private final RetainedHistories retained;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final ChatMetrics metrics;

    @Inject
    public SessionRegistry(ChatSettings settings, ChatMetrics metrics, ConnectionQuota quota) {
        this(settings, metrics, quota, Clock.systemUTC(), System::nanoTime);
    }

    /** With the clock that stamps messages and the monotonic time that paces senders. */
    SessionRegistry(ChatSettings settings, ChatMetrics metrics, ConnectionQuota quota, Clock clock,
            LongSupplier nanoTime) {
        this.settings = settings;
        this.metrics = metrics;
        this.quota = quota;
        this.retained = new RetainedHistories(settings.history().retainedRooms());
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** For the container's client proxy only. */
    protected SessionRegistry() {
        this(ChatSettings.DEFAULTS, new ChatMetrics(), new ConnectionQuota(ChatSettings.DEFAULTS));
    }

    /**
     * Adds the peer to the room under the name (made unique in the room), creating the room on
     * first use. The peer gets the welcome, the others the join event.
     */
    public Member join(String roomName, String name, OptionalLong since, Peer peer) {
        return join(roomName, name, since, peer, member -> { });
    }

    /** Like {@link #join(String, String, OptionalLong, Peer)}, calling back before anything is sent. */
    private Member join(String roomName, String name, OptionalLong since, Peer peer, Consumer<Member> admitted) {
        Fanout fanout = new Fanout();
        Member member;
        while (true) {
            Room room = rooms.compute(roomName, (key, found) -> found != null && !found.isRetired()
                    ? found
                    : new Room(key, historyFor(key, found), clock));
            long now = nanoTime.getAsLong();
            SendAllowance allowance =
                    new SendAllowance(settings.inbound().messagesPerSecond(), settings.inbound().burst(), now);
            member = new Member(room, peer, allowance, settings.outbound().maxMessages(),
                    settings.outbound().maxChars(), nanoTime, this::dropAfterSendFailure);
            member.heard(now);
            if (room.admit(member, name, since, fanout)) {
                break;
            }
        }
        admitted.accept(member);
        complete(fanout);
        return member;
    }

    /** Removes the member; the others get the leave event. Leaving twice is harmless. */
    public void leave(Member member) {
        leave(member, null, false);
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
                retained.retain(key, room.history());
                return null;
            });
        }
        if (reason != null) {
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

    /** Sends the text to every other member of the sender's room, and the ack to the sender. */
    public void broadcast(Member sender, String text) {
        Fanout fanout = new Fanout();
        sender.joined().deliver(sender, text, fanout);
        complete(fanout);
    }

    /**
     * What a client's text frame becomes: a broadcast, or an error event when it is blank or comes
     * faster than the member's allowance; after {@code strikes} refusals in a row, a 1008 close.
     */
    public void say(Member member, String text) {
        long now = nanoTime.getAsLong();
        member.heard(now);
        if (isOverSizeLimit(text)) {
            dismiss(member, new CloseReason(CloseCodes.TOO_BIG,
                    "message over " + settings.inbound().maxMessageBytes() + " bytes"));
        } else if (text.isBlank()) {
            refuse(member, "empty", "message text is empty");
        } else if (member.allowance().tryTake(now)) {
            metrics.received();
            broadcast(member, text);
        } else if (member.allowance().strikes() >= settings.inbound().strikes()) {
            dismiss(member, new CloseReason(CloseCodes.VIOLATED_POLICY, "rate limit exceeded"));
        } else {
            metrics.rateLimited();
            refuse(member, "rate-limited", String.format(Locale.ROOT,
                    "too fast: at most %s messages a second, %d at once; this one was dropped",
                    settings.inbound().messagesPerSecond(), settings.inbound().burst()));
        }
    }

    /** UTF-8 takes at most 3 bytes per UTF-16 char, so short texts need no encoding to be measured. */
    private boolean isOverSizeLimit(String text) {
        return (long) text.length() * 3 > settings.inbound().maxMessageBytes()
                && text.getBytes(StandardCharsets.UTF_8).length > settings.inbound().maxMessageBytes();
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
        return member != null && dismiss(member, new CloseReason(CloseCodes.SERVICE_RESTART, "reconnect"));
    }

    /**
     * One heartbeat: drops (1001) every member not heard from, by message or pong, within
     * {@code silenceSeconds}, and pings the others. The ping is queued like a frame, so it waits
     * behind what the member has queued and never overlaps a send.
     */
    public void heartbeat() {
        long now = nanoTime.getAsLong();
        long silence = TimeUnit.SECONDS.toNanos(settings.liveness().silenceSeconds());
        List<Member> silent = new ArrayList<>();
        Fanout pings = new Fanout();
        for (Member member : everyone()) {
            if (now - member.heardAt() > silence) {
                silent.add(member);
            } else {
                pings.offer(member, Outbox.PING);
            }
        }
        for (Member member : silent) {
            metrics.silentDropped();
            evict(member, new CloseReason(CloseCodes.GOING_AWAY,
                    "no pong for " + settings.liveness().silenceSeconds() + " s"));
        }
        // Pings are not deliveries: the metric counts what members were sent to read.
        flushAndEvict(pings);
    }

    /**
     * Drops (1013) every member whose send has been in flight longer than the send timeout: its
     * client stopped reading, and the queue bounds would catch it only once enough traffic came.
     * Then closes outright the sockets of dropped members whose close still waits behind such a
     * send: under the one-writer rule it would wait, and hold the socket, for as long as the
     * client keeps its connection open without reading.
     */
    public void expireStuckSends() {
        long now = nanoTime.getAsLong();
        long timeout = TimeUnit.SECONDS.toNanos(settings.outbound().sendTimeoutSeconds());
        CloseReason timedOut = new CloseReason(CloseCodes.TRY_AGAIN_LATER, "too slow: send timed out");
        List<Member> stuck = everyone().stream().filter(member -> member.outbox().sendingFor(now) > timeout).toList();
        for (Member member : stuck) {
            metrics.sendTimedOut();
            evict(member, timedOut);
        }
        for (Member member : closing) {
            if (member.outbox().isFinished()) {
                closing.remove(member);
            } else if (member.outbox().sendingFor(now) > timeout) {
                closing.remove(member);
                member.outbox().abort(timedOut);
            }
        }
    }

    /** A snapshot of the members of every room, taken room by room under each room's read lock. */
    private List<Member> everyone() {
        List<Member> everyone = new ArrayList<>();
        rooms.values().forEach(room -> everyone.addAll(room.members()));
        return everyone;
    }

    /** Members across all rooms. */
    public int members() {
        return rooms.values().stream().mapToInt(Room::size).sum();
    }

    /** Rooms with at least one member. */
    public int rooms() {
        return rooms.size();
    }

    /**
     * Container sessions that joined and whose close the container has not yet reported: the
     * members, plus connections being closed. Counted against {@code chorus.limits.max-connections}.
     */
    public int connections() {
        return quota.connections();
    }

    private RoomHistory historyFor(String roomName, Room retiredRoom) {
        if (retiredRoom != null) {
            return retiredRoom.history();
        }
        RoomHistory history = retained.reclaim(roomName);
        return history != null ? history : new RoomHistory(roomName, settings.history().size());
    }

    /** Counts the frames as deliveries, then flushes them. */
    private void complete(Fanout fanout) {
        metrics.delivered(fanout.accepted().size());
        flushAndEvict(fanout);
    }

    private void flushAndEvict(Fanout fanout) {
        for (Member member : fanout.accepted()) {
            metrics.observeOutboxDepth(member.outbox().queued());
            member.outbox().flush();
        }
        for (Member member : fanout.refused()) {
            if (!member.outbox().isClosed()) {
                // Refused while open: its queue is full, the receiver is not keeping up.
                metrics.outboxOverflowed();
                evict(member, new CloseReason(CloseCodes.TRY_AGAIN_LATER, "too slow: outbound queue full"));
            }
        }
    }

    // ---- The container's sessions: what the endpoint calls -----------------------------------

    /** Joins the session as its request asks, or closes it with 1008 and the rule it broke. */
    public void join(String roomName, Session session) {
        JoinRequest request;
        try {
            request = JoinRequest.of(roomName, session.getUserPrincipal(), session.getRequestParameterMap(),
                    settings.access().signInRequired());
        } catch (JoinRequest.InvalidRequest e) {
            refuseJoin(session, "invalid-join", e.getMessage(), new CloseReason(CloseCodes.VIOLATED_POLICY, e.getMessage()));
            return;
        }
        String address = RemoteAddress.of(session.getRequestParameterMap());
        switch (quota.admit(address)) {
            case NODE_FULL -> {
                refuseJoin(session, "server-full", "this server is full, try again later",
                        new CloseReason(CloseCodes.TRY_AGAIN_LATER, "server full"));
                return;
            }
            case ADDRESS_FULL -> {
                // The handshake filter refuses these with 429; this catches handshakes that raced it.
                refuseJoin(session, "too-many-connections", "too many connections from your address, try again later",
                        new CloseReason(CloseCodes.TRY_AGAIN_LATER, "too many connections from your address"));
                return;
            }
            case ADMITTED -> {
                // Joins below.
            }
        }
        // Undertow refuses larger frames itself (1009) before buffering them; Tyrus does not
        // enforce this setting, so say() checks the size too.
        session.setMaxTextMessageBufferSize(settings.inbound().maxMessageBytes());
        // The session must know its member before the welcome goes out: once the client has it,
        // it may close at once, and @OnClose looks the member up here.
        Member member = join(request.room(), request.name(), request.since(), new SessionPeer(session),
                admitted -> session.getUserProperties().put(MEMBER, admitted));
        if (!session.isOpen()) {
            // Closed while joining: @OnClose may have run before the member was recorded.
            leave(session);
        }
    }

    private void refuseJoin(Session session, String code, String reason, CloseReason close) {
        metrics.refusedJoin();
        new SessionPeer(session).refuse(ServerEvents.error(code, reason), close);
    }

    public void say(Session sender, String text) {
        Member member = memberOf(sender);
        if (member != null) {
            say(member, text);
        }
    }

    /** Chorus speaks text only: a binary frame closes the connection with 1003. */
    public void refuseBinary(Session sender) {
        CloseReason reason = new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not supported");
        Member member = memberOf(sender);
        if (member != null) {
            dismiss(member, reason);
        } else {
            new SessionPeer(sender).close(reason);
        }
    }

    /** The connection closed, whoever closed it, with this reason. */
    public void leave(Session session, CloseReason reason) {
        metrics.closed(reason.getCloseCode().getCode());
        leave(session);
    }

    public void leave(Session session) {
        Member member = memberOf(session);
        if (member != null && member.release()) {
            quota.release(RemoteAddress.of(session.getRequestParameterMap()));
            closing.remove(member);
            leave(member);
        }
    }

    /** A pong (or any frame) shows the client is still there. */
    public void heard(Session session) {
        Member member = memberOf(session);
        if (member != null) {
            member.heard(nanoTime.getAsLong());
        }
    }

    /** The container reports a broken socket; @OnClose follows, but stop writing to it now. */
    public void fail(Session session, Throwable error) {
        LOG.log(Level.FINE, "Session {0} failed: {1}", new Object[] {session.getId(), error});
        leave(session);
    }

    private static Member memberOf(Session session) {
        return (Member) session.getUserProperties().get(MEMBER);
    }

    // ---- Eviction and shutdown ----------------------------------------------------------------

    private void dropAfterSendFailure(Member member, Throwable cause) {
        LOG.log(Level.FINE, "Send to {0} failed, dropping it: {1}", new Object[] {member, cause});
        evict(member, new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "send failed"));
    }

    /** Drops the member at once: what is queued for it is discarded (it is broken or too slow). */
    private void evict(Member member, CloseReason reason) {
        leave(member, reason, false);
    }

    /**
     * Sends the member what is queued for it (warnings included), then closes with the reason.
     * False if it had left already.
     */
    private boolean dismiss(Member member, CloseReason reason) {
        return leave(member, reason, true);
    }

    /**
     * Tells every client the server is going away (1001), after what is already queued for it,
     * and waits up to {@code grace} for those closes to go out; sockets whose close still waits
     * behind a send then are closed outright. Rooms are emptied whole, with no leave events: in a
     * room of n members those would be n² frames nobody will read.
     */
    public void closeAll(Duration grace) {
        List<Member> everyone = new ArrayList<>();
        rooms.forEach((name, room) -> {
            everyone.addAll(room.dischargeAll());
            rooms.remove(name, room);
        });
        if (everyone.isEmpty()) {
            return;
        }
        LOG.log(Level.INFO, "Closing {0} connections with 1001: the application is stopping", everyone.size());
        CloseReason goingAway = new CloseReason(CloseCodes.GOING_AWAY, "server shutting down");
        everyone.forEach(member -> member.outbox().closeAfterQueued(goingAway));
        long deadline = nanoTime.getAsLong() + grace.toNanos();
        while (nanoTime.getAsLong() < deadline && !everyone.stream().allMatch(member -> member.outbox().isFinished())) {
            LockSupport.parkNanos(SHUTDOWN_POLL_NANOS);
        }
        everyone.forEach(member -> member.outbox().abort(goingAway));
    }
}
