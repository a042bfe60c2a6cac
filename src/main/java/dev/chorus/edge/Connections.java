package dev.chorus.edge;

import dev.chorus.api.Policies;
import dev.chorus.api.RoomEvents;
import dev.chorus.api.RoomEventsOut;
import dev.chorus.api.RoomPolicy;
import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.handshake.ConnectionQuota;
import dev.chorus.handshake.RemoteAddress;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.SendLanes;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.JoinRequest;
import dev.chorus.protocol.ServerEvents;
import dev.chorus.room.InboundText;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import dev.chorus.room.SendAllowance;
import dev.chorus.room.Sequence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container's WebSocket sessions, from open to close, as the endpoint hands them over: admits
 * each under the connection quota and joins it to its room, checks what it sends (size, blank,
 * rate) before anything reaches the room, and gives its slot back exactly once when it closes.
 */
@ApplicationScoped
public class Connections {

    /** Where the container session keeps its member, so that every callback finds it. */
    static final String MEMBER = Member.class.getName();

    private static final Logger LOG = Logger.getLogger(Connections.class.getName());

    private final Rooms rooms;
    private final ConnectionQuota quota;
    private final ChatSettings settings;
    private final ChatMetrics metrics;
    private final Clocks clocks;
    private final UnansweredCloses closes;
    private final SendLanes lanes;
    private final Policies policies;
    private final RoomEventsOut events;
    /** Rooms new to this node it may still open now: {@code chorus.limits.new-rooms-per-minute}. Null: no limit. */
    private final SendAllowance newRooms;

    @Inject
    public Connections(Rooms rooms, ConnectionQuota quota, ChatSettings settings, ChatMetrics metrics,
            Clocks clocks, UnansweredCloses closes, SendLanes lanes, Policies policies, RoomEventsOut events) {
        this.rooms = rooms;
        this.quota = quota;
        this.settings = settings;
        this.metrics = metrics;
        this.clocks = clocks;
        this.closes = closes;
        this.lanes = lanes;
        this.policies = policies;
        this.events = events;
        int perMinute = settings.limits().newRoomsPerMinute();
        this.newRooms = perMinute == 0 ? null : new SendAllowance(perMinute / 60.0, perMinute, clocks.nanoTime());
    }

    /** For the container's client proxy only. */
    protected Connections() {
        this(null, null, ChatSettings.DEFAULTS, null, Clocks.SYSTEM, null, null, Policies.NONE, RoomEventsOut.NONE);
    }

    /** Joins the session as its request asks, or closes it with the rule or limit it met. */
    public void open(String roomName, Session session) {
        JoinRequest request;
        try {
            request = JoinRequest.of(roomName, session.getUserPrincipal(), session.getRequestParameterMap(),
                    settings.access().signInRequired());
        } catch (JoinRequest.InvalidRequest e) {
            refuse(roomName, session, "invalid-join", e.getMessage(), CloseReasons.invalidJoin(e.getMessage()));
            return;
        }
        RoomPolicy.Verdict verdict = policies.mayJoin(request.room(), request.name());
        if (!verdict.allowed()) {
            refuse(roomName, session, "forbidden", verdict.reason(), CloseReasons.forbidden(verdict.reason()));
            return;
        }
        if (rooms.room(request.room()) == null) {
            // Checked before the room exists: joins racing for new rooms may pass it by their number, no more.
            if (rooms.rooms() >= settings.limits().maxRooms()) {
                refuse(roomName, session, "too-many-rooms", "this server holds as many rooms as it may; join an existing room"
                        + " or try later", CloseReasons.TOO_MANY_ROOMS);
                return;
            }
            if (newRooms != null && !newRooms.tryTake(clocks.nanoTime())) {
                refuse(roomName, session, "too-many-rooms", "rooms are being opened on this server faster than it allows;"
                        + " join an existing room or try later", CloseReasons.TOO_MANY_ROOMS);
                return;
            }
        }
        switch (quota.admit(RemoteAddress.of(session.getRequestParameterMap()))) {
            case NODE_FULL -> {
                refuse(roomName, session, "server-full", "this server is full, try again later", CloseReasons.SERVER_FULL);
                return;
            }
            case ADDRESS_FULL -> {
                // The handshake filter refuses these with 429; this catches handshakes that raced it.
                refuse(roomName, session, "too-many-connections", "too many connections from your address, try again later",
                        CloseReasons.ADDRESS_FULL);
                return;
            }
            case ADMITTED -> {
                // Joins below.
            }
        }
        // Both containers take this as the bound of a message split into frames (Tyrus counts it
        // in chars); say() counts every part in UTF-8 bytes as well, since Undertow 2.3 does not
        // enforce it on parts read after the first (UNDERTOW-2770).
        session.setMaxTextMessageBufferSize(settings.inbound().maxMessageBytes());
        try {
            Member member = rooms.join(request.room(), request.name(), request.resume(), new SessionPeer(session, request.batched(), closes, lanes),
                    // Before anything is sent: whatever the client does once it has its welcome (closing at once, say) finds the member.
                    seated -> session.getUserProperties().put(MEMBER, seated));
            events.fire(new RoomEvents.MemberJoined(member.roomName(), member.name()));
        } catch (Sequence.Unavailable e) {
            quota.release(RemoteAddress.of(session.getRequestParameterMap()));
            refuse(roomName, session, "unavailable", "the cluster is not reachable, try again later", CloseReasons.CLUSTER_UNAVAILABLE);
            return;
        }
        if (!session.isOpen()) {
            // Closed while joining: @OnClose may have run before the member was recorded.
            release(session);
        }
    }

    /**
     * What a client's text becomes, once its last part has come: a broadcast, or an error event
     * when it is blank or comes faster than the member's allowance; the {@code strikes}-th refusal
     * in a row closes with 1008. A message that grows past {@code chorus.message.max-bytes} closes
     * with 1009 as soon as it does, whether or not its last part has come.
     */
    public void say(Session sender, String part, boolean last) {
        Member member = memberOf(sender);
        if (member == null) {
            return;
        }
        String text = member.inbound().append(part, last, settings.inbound().maxMessageBytes());
        if (text == InboundText.TOO_BIG) {
            rooms.dismiss(member, CloseReasons.tooBig(settings.inbound().maxMessageBytes()));
        } else if (text != null) {
            say(member, text);
        }
    }

    void say(Member member, String text) {
        long now = clocks.nanoTime();
        member.heard(now);
        if (text.isBlank()) {
            rooms.refuse(member, "empty", "message text is empty");
        } else if (member.allowance().tryTake(now)) {
            RoomPolicy.Verdict verdict = policies.mayPost(member.roomName(), member.name(), text);
            if (verdict.allowed()) {
                metrics.received();
                rooms.publish(member, text, events.observed() ? this::accepted : message -> { });
            } else {
                // Refused before it is numbered: no id is spent, and the connection stays open.
                rooms.refuse(member, "rejected", verdict.reason());
            }
        } else if (member.allowance().strikes() >= settings.inbound().strikes()) {
            rooms.dismiss(member, CloseReasons.RATE_EXCEEDED);
        } else {
            metrics.rateLimited();
            rooms.refuse(member, "rate-limited", String.format(Locale.ROOT,
                    "too fast: at most %s messages a second, %d at once; this one was dropped",
                    settings.inbound().messagesPerSecond(), settings.inbound().burst()));
        }
    }

    /** Chorus speaks text only: a binary frame closes the connection with 1003. */
    public void refuseBinary(Session sender) {
        closeFor(sender, CloseReasons.BINARY, true);
    }

    /** A pong (or any frame) shows the client is still there. */
    public void heard(Session session) {
        Member member = memberOf(session);
        if (member != null) {
            member.heard(clocks.nanoTime());
        }
    }

    /**
     * The container reports an error on the connection: a failed read, or a callback that threw.
     * Both servers then leave the socket open, so it is closed here (1011); its slot stays taken
     * until the container reports the close.
     */
    public void fail(Session session, Throwable error) {
        LOG.log(Level.FINE, "Session {0} failed: {1}", new Object[] {session.getId(), error});
        closeFor(session, CloseReasons.CONNECTION_FAILED, false);
    }

    /** The connection closed, whoever closed it, with this reason. */
    public void close(Session session, CloseReason reason) {
        metrics.closed(reason.getCloseCode().getCode());
        release(session);
    }

    /** Takes the session's member out of its room and gives its slot back, once. */
    private void release(Session session) {
        Member member = memberOf(session);
        if (member != null && member.release()) {
            // The container may keep a closed session a while (WildFly: in a queued task that can
            // outlive the undeploy); the member, its queue and its room must not stay with it.
            session.getUserProperties().remove(MEMBER);
            quota.release(RemoteAddress.of(session.getRequestParameterMap()));
            rooms.closing().remove(member);
            rooms.leave(member);
            events.fire(new RoomEvents.MemberLeft(member.roomName(), member.name()));
        }
    }

    private void closeFor(Session session, CloseReason reason, boolean afterQueued) {
        Member member = memberOf(session);
        if (member == null) {
            new SessionPeer(session, closes).close(reason);
        } else if (afterQueued) {
            rooms.dismiss(member, reason);
        } else {
            rooms.evict(member, reason);
        }
    }

    private void refuse(String roomName, Session session, String code, String reason, CloseReason close) {
        metrics.refusedJoin();
        events.fire(new RoomEvents.JoinRefused(roomName, code));
        new SessionPeer(session, closes).refuse(ServerEvents.error(code, reason), close);
    }

    private void accepted(ChatMessage message) {
        events.fire(new RoomEvents.MessageAccepted(message.room(), message.id(), message.from(), message.text(), message.ts(), false));
    }

    private static Member memberOf(Session session) {
        return (Member) session.getUserProperties().get(MEMBER);
    }
}
