package dev.chorus.room;

import dev.chorus.cluster.RoomEntry;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.ServerEvents;
import java.time.Instant;
import java.util.Collection;

/**
 * What one entry of a cluster room's log queues to the room's members on this node. The room
 * calls it under its read lock and sequence lock, entry after entry in log order.
 */
final class LogDelivery {

    private LogDelivery() {
    }

    /**
     * Keeps the message and queues it to every member but its sender, who gets the ack instead,
     * and but those that resumed past it (they had it before they joined).
     */
    static void message(String room, RoomEntry entry, RoomHistory history, Collection<Member> members, Fanout fanout) {
        Numbered kept = keep(room, entry, history);
        for (Member member : members) {
            if (member.name().equals(entry.name())) {
                fanout.offer(member, ServerEvents.ack(kept.message()));
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
        ChatMessage message = new ChatMessage(room, entry.id(), entry.name(), entry.text(), Instant.ofEpochMilli(entry.sentAt()));
        String frame = ServerEvents.message(message);
        history.keepNumbered(message, frame);
        return new Numbered(message, frame);
    }

    /**
     * Queues a join or leave to the members who joined before it (what came before a member's join
     * was in its welcome's count and names), but not the one it is about, if the room is small
     * enough to announce single arrivals ({@link Room#ANNOUNCED_UP_TO}).
     */
    static void presence(String room, RoomEntry entry, Collection<Member> members, Fanout fanout) {
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
