package dev.chorus.chat;

import dev.chorus.protocol.ChatMessage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A room's message numbering and its last {@code capacity} messages. Not thread-safe: the room
 * appends under its read lock plus its sequence lock, and reads under its write lock.
 */
final class RoomHistory {

    private final String room;
    private final int capacity;
    private final Deque<ChatMessage> kept;
    private long nextId = 1;

    RoomHistory(String room, int capacity) {
        this.room = room;
        this.capacity = capacity;
        this.kept = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Numbers the message, keeps it and forgets the oldest one beyond capacity. */
    ChatMessage append(String from, String text, Instant ts) {
        ChatMessage message = new ChatMessage(room, nextId++, from, text, ts);
        if (capacity > 0) {
            if (kept.size() == capacity) {
                kept.removeFirst();
            }
            kept.addLast(message);
        }
        return message;
    }

    /** The kept messages with an id above {@code since}, oldest first. */
    List<ChatMessage> after(long since) {
        List<ChatMessage> messages = new ArrayList<>();
        for (ChatMessage message : kept) {
            if (message.id() > since) {
                messages.add(message);
            }
        }
        return messages;
    }

    /** The id of the oldest message still kept, or the next id if none is. */
    long oldestKept() {
        return kept.isEmpty() ? nextId : kept.peekFirst().id();
    }

    long nextId() {
        return nextId;
    }
}
