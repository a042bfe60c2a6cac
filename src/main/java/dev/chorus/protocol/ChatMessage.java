package dev.chorus.protocol;

import java.time.Instant;

/**
 * One message as the server recorded it: {@code id} is the room's sequence number, {@code from}
 * the sender's name as the server knows it, {@code ts} the server's clock when it was recorded.
 * {@code fromServer} marks a message the application published: no client can send one.
 */
public record ChatMessage(String room, long id, String from, String text, Instant ts, boolean fromServer) {

    /** A message a client sent. */
    public ChatMessage(String room, long id, String from, String text, Instant ts) {
        this(room, id, from, text, ts, false);
    }
}
