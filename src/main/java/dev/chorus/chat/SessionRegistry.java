package dev.chorus.chat;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Every live connection, by room, and the fan-out of messages between them.
 * <p>
 * Lock rules: each {@link Room} guards its members with its own read/write lock; joining and
 * leaving take that room's write lock, a broadcast its read lock. No thread ever holds two room
 * locks, and none does network I/O under one: under the read lock a broadcast only queues the
 * frame, and it flushes the queues, evicts the members whose queue refused the frame and closes
 * their sockets after the lock is released. The map of rooms is a concurrent map, never locked.
 * <p>
 * A member is evicted, and never written to again, when its socket closes or errors, when a send
 * to it fails, or when its queue refuses a frame.
 */
@ApplicationScoped
public class SessionRegistry {

    /** Where the container session keeps its member, so that every callback finds it. */
    static final String MEMBER = Member.class.getName();

    /** Room names travel in URLs and logs: keep them short and unambiguous. */
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());

    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();

    /** Adds the peer to the room, creating the room on first use. */
    public Member join(String roomName, Peer peer) {
        while (true) {
            Room room = rooms.computeIfAbsent(roomName, Room::new);
            Member member = new Member(room, peer, this::dropAfterSendFailure);
            if (room.admit(member)) {
                return member;
            }
            // The room emptied and retired after we found it: help remove it and look again.
            rooms.remove(roomName, room);
        }
    }

    /** Removes the member; nothing is sent to it afterwards. Leaving twice is harmless. */
    public void leave(Member member) {
        leave(member, null);
    }

    /**
     * Takes the member out of its room first, so that no broadcast finds it any more, then closes
     * its outbox, which closes the socket with the reason (if any) once no send is in flight.
     */
    private void leave(Member member, CloseReason reason) {
        Room room = member.joined();
        if (room.discharge(member)) {
            rooms.remove(room.name(), room);
        }
        member.outbox().close(reason);
    }

    /** Sends the frame to every other member of the sender's room; the sender gets no echo. */
    public void broadcast(Member sender, String frame) {
        List<Member> refused = new ArrayList<>(0);
        List<Member> accepted = sender.joined().deliver(sender, frame, refused);
        for (Member member : accepted) {
            member.outbox().flush();
        }
        for (Member member : refused) {
            evict(member, new CloseReason(CloseCodes.TRY_AGAIN_LATER, "outbound queue closed"));
        }
    }

    /** Members across all rooms. */
    public int members() {
        return rooms.values().stream().mapToInt(Room::size).sum();
    }

    /** Rooms with at least one member. */
    public int rooms() {
        return rooms.size();
    }

    // ---- The container's sessions: what the endpoint calls -----------------------------------

    /** Joins the session to the room, or closes it with 1008 if the room name is not valid. */
    public void join(String roomName, Session session) {
        if (roomName == null || !ROOM_NAME.matcher(roomName).matches()) {
            new SessionPeer(session).close(new CloseReason(CloseCodes.VIOLATED_POLICY,
                    "room name must be 1-64 letters, digits, '.', '_' or '-'"));
            return;
        }
        session.getUserProperties().put(MEMBER, join(roomName, new SessionPeer(session)));
    }

    public void broadcast(Session sender, String frame) {
        Member member = memberOf(sender);
        if (member != null) {
            broadcast(member, frame);
        }
    }

    public void leave(Session session) {
        Member member = memberOf(session);
        if (member != null) {
            leave(member);
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

    private void evict(Member member, CloseReason reason) {
        leave(member, reason);
    }

    /** On undeploy or shutdown every client is told the server is going away (1001). */
    @PreDestroy
    void closeAll() {
        List<Member> everyone = new ArrayList<>();
        rooms.values().forEach(room -> room.addMembersTo(everyone));
        for (Member member : everyone) {
            evict(member, new CloseReason(CloseCodes.GOING_AWAY, "server shutting down"));
        }
    }
}
