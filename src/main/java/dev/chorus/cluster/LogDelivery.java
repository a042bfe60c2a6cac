package dev.chorus.cluster;

import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.ServerEvents;
import dev.chorus.room.Fanout;
import dev.chorus.room.Member;
import dev.chorus.room.Room;
import dev.chorus.room.RoomHistory;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * What the entries of a cluster room's log queue to the room's members on this node, applied
 * under the room's read lock and sequence lock ({@link Room#inOrder}), entry after entry in log order.
 */
final class LogDelivery {

    private LogDelivery() {
    }

    /** What applying entries of the room's log did. */
    enum Relayed {
        /** Every entry after the room's position was applied. */
        APPLIED,
        /** An entry came before the one preceding it: nothing further was applied; read the log. */
        AHEAD,
        /** An entry was of another numbering: Redis lost the room, and its members must resume afresh. */
        RENUMBERED,
        /**
         * A message's id was past the next one the room expects: the log was trimmed past entries
         * this node never read. Nothing further was applied; its members must resume (and get a gap).
         */
        SKIPPED
    }

    /**
     * Applies the room's log entries after the last one applied, in order: keeps and queues each
     * message (the ack to its sender, if here), and announces joins and leaves to the members here
     * (the newcomer excepted). Stops at an entry that does not follow the last one applied, that is
     * of another numbering, or a message whose id leaves a hole, and says so.
     */
    static Relayed apply(Room room, List<RoomEntry> entries, Collection<Member> members, Fanout fanout) {
        for (RoomEntry entry : entries) {
            if (!entry.isAfter(room.position())) {
                continue;
            }
            if (!entry.follows(room.position())) {
                return Relayed.AHEAD;
            }
            if (!entry.epoch().equals(room.history().epoch())) {
                return Relayed.RENUMBERED;
            }
            if (entry.kind() == RoomEntry.Kind.MESSAGE && entry.id() > room.history().nextId()) {
                return Relayed.SKIPPED;
            }
            room.position(entry.at());
            switch (entry.kind()) {
                case MESSAGE -> message(room.name(), entry, room.history(), members, fanout);
                case JOIN, LEAVE -> presence(room.name(), entry, members, fanout);
            }
        }
        return Relayed.APPLIED;
    }

    /**
     * Keeps the message and queues it to every member but its sender, who gets the ack instead,
     * and but those that resumed past it (they had it before they joined). The sender is the
     * connection that sent it, known by its token: a client that dropped and came back under the
     * same name is another connection, and gets the message, not an ack for a send it cannot match.
     */
    private static void message(String room, RoomEntry entry, RoomHistory history, Collection<Member> members, Fanout fanout) {
        Numbered kept = keep(room, entry, history);
        for (Member member : members) {
            if (entry.isFrom(member)) {
                fanout.offer(member, ServerEvents.ack(kept.message()));
                member.answered();
            } else if (entry.id() > member.seenUpTo()) {
                fanout.offer(member, kept.frame());
            }
        }
    }

    /** A message of the log, serialised once: the frame every member but its sender gets. */
    record Numbered(ChatMessage message, String frame) {
    }

    /** Keeps a message entry of the log in the history (a backlog read back, or a relayed message). */
    static Numbered keep(String room, RoomEntry entry, RoomHistory history) {
        ChatMessage message = message(room, entry);
        String frame = ServerEvents.message(message);
        history.keepNumbered(message, frame);
        return new Numbered(message, frame);
    }

    /** A message entry of the log as the message it records. */
    static ChatMessage message(String room, RoomEntry entry) {
        return new ChatMessage(room, entry.id(), entry.name(), entry.text(), Instant.ofEpochMilli(entry.sentAt()), entry.fromServer());
    }

    /**
     * Queues a join or leave to the members who joined before it (what came before a member's join
     * was in its welcome's count and names), but not the one it is about, if the room is small
     * enough to announce single arrivals ({@link Room#ANNOUNCED_UP_TO}).
     */
    private static void presence(String room, RoomEntry entry, Collection<Member> members, Fanout fanout) {
        if (entry.count() > Room.ANNOUNCED_UP_TO) {
            return;
        }
        String event = entry.kind() == RoomEntry.Kind.JOIN
                ? ServerEvents.join(room, entry.name(), entry.count())
                : ServerEvents.leave(room, entry.name(), entry.count());
        for (Member member : members) {
            if (!member.name().equals(entry.name()) && entry.isAfter(member.joinedAt())) {
                fanout.offer(member, event);
            }
        }
    }
}
