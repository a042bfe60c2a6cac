package dev.chorus.room;

import java.time.Instant;

/** What a message the application published was given: its place in the room's order. */
public record Published(String room, long id, String epoch, Instant ts) {
}
