package dev.chorus.cluster;

import dev.chorus.room.Member;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a room's log in Redis, as every node reads it: a message (numbered), or a member
 * joining or leaving (with the room's count across the cluster after it).
 *
 * @param at the entry's position in the log (a Redis stream id, {@code ms-seq})
 * @param epoch the numbering the room's ids belong to
 * @param id the message's id in the room (0 for presence)
 * @param name who sent the message, or who joined or left
 * @param text the message's text (empty for presence)
 * @param sentAt when the message was sent, epoch milliseconds (0 for presence)
 * @param count members in the room across all nodes after a join or leave (0 for a message)
 * @param node the node the sender or member is on
 * @param after for an entry pushed as it was appended, the position of the entry before it in the
 *        log; null for an entry read from the log
 * @param fromServer whether the message is one the application published (no member sent it)
 * @param sender the token of the connection that sent the message (null for presence, a published
 *        message, or an entry of a version that did not write one)
 */
public record RoomEntry(String at, Kind kind, String epoch, long id, String name, String text, long sentAt, int count,
        String node, String after, boolean fromServer, String sender) {

    private static final JsonProvider JSON = JsonProvider.provider();

    public enum Kind {
        MESSAGE, JOIN, LEAVE
    }

    /** An entry from the fields the room script appended; null for a kind this version does not know. */
    static RoomEntry of(String at, Map<String, String> fields) {
        return of(at, fields, null);
    }

    /**
     * An entry as the room script pushes it on the room's live channel: its fields, with its
     * position ({@code at}) and the one before it ({@code p}), as one JSON object of strings.
     */
    static RoomEntry pushed(String message) {
        JsonObject object;
        try (JsonReader reader = JSON.createReader(new StringReader(message))) {
            object = reader.readObject();
        }
        Map<String, String> fields = new HashMap<>();
        object.forEach((field, value) -> {
            if (value instanceof JsonString string) {
                fields.put(field, string.getString());
            }
        });
        return of(fields.get("at"), fields, fields.get("p"));
    }

    private static RoomEntry of(String at, Map<String, String> fields, String after) {
        Kind kind = switch (fields.getOrDefault("t", "")) {
            case "m" -> Kind.MESSAGE;
            case "j" -> Kind.JOIN;
            case "l" -> Kind.LEAVE;
            default -> null;
        };
        if (kind == null) {
            return null;
        }
        return new RoomEntry(at, kind, fields.get("e"), Long.parseLong(fields.getOrDefault("n", "0")),
                fields.get("f"), fields.getOrDefault("x", ""), Long.parseLong(fields.getOrDefault("ts", "0")),
                Integer.parseInt(fields.getOrDefault("c", "0")), fields.get("o"), after, "1".equals(fields.get("s")),
                fields.get("k"));
    }

    /** An entry as Lua returns a stream entry: {@code [id, [field, value, ...]]}. */
    static RoomEntry of(List<?> entry) {
        List<?> flat = (List<?>) entry.get(1);
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return of((String) entry.get(0), fields);
    }

    /** Whether the member is the connection that sent this message (by token; by name for an entry without one). */
    public boolean isFrom(Member member) {
        if (fromServer || kind != Kind.MESSAGE) {
            return false;
        }
        return sender != null ? sender.equals(member.token()) : member.name().equals(name);
    }

    /** Whether this entry comes after the log position (null: the start of the log). */
    public boolean isAfter(String position) {
        return position == null || compare(at, position) > 0;
    }

    /**
     * Whether this entry may be applied by a room that stands at the position: always for an
     * entry read from the log (in order from where the room stood), and for a pushed one only if
     * the entry before it is the last the room applied.
     */
    public boolean follows(String position) {
        return after == null || after.equals(position);
    }

    /** Orders two log positions ({@code ms-seq}, both parts unsigned decimals). */
    static int compare(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int byTime = Long.compare(Long.parseLong(a.substring(0, dashA)), Long.parseLong(b.substring(0, dashB)));
        return byTime != 0 ? byTime : Long.compare(Long.parseLong(a.substring(dashA + 1)), Long.parseLong(b.substring(dashB + 1)));
    }
}
