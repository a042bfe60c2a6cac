package dev.chorus.api;

import java.time.Instant;

/**
 * What happens in rooms, as CDI events for the application's beans: observe them with
 * {@code @ObservesAsync} (e.g. {@code void saved(@ObservesAsync RoomEvents.MessageAccepted m)}).
 * Each is fired once per cluster, on the node that accepted it, asynchronously: an observer that
 * is slow or throws never delays or loses a delivery to members ({@link RoomEventsOut} says what
 * happens when observers fall behind). Events of one room are not promised in order: use the ids.
 */
public final class RoomEvents {

    private RoomEvents() {
    }

    /** A message was numbered: a member's ({@code fromServer} false) or one the application published. */
    public record MessageAccepted(String room, long id, String from, String text, Instant ts, boolean fromServer) {
    }

    /** A member joined the room under {@code member} (the name the room gave it) on this node. */
    public record MemberJoined(String room, String member) {
    }

    /** A member left the room (closed, dropped or dismissed) on this node. */
    public record MemberLeft(String room, String member) {
    }

    /** A connection was refused before it joined: {@code code} is the error event's ({@code forbidden}, {@code server-full}, …). */
    public record JoinRefused(String room, String code) {
    }
}
