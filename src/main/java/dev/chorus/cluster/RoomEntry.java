package dev.chorus.cluster;

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
 */
public record RoomEntry(String at, Kind kind, String epoch, long id, String name, String text, long sentAt, int count,
        String node) {

    public enum Kind {
        MESSAGE, JOIN, LEAVE
    }

    /** An entry from the fields the room script appended; null for a kind this version does not know. */
    static RoomEntry of(String at, Map<String, String> fields) {
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
                Integer.parseInt(fields.getOrDefault("c", "0")), fields.get("o"));
    }

    /** An entry as Lua returns a stream entry: {@code [id, [field, value, ...]]}. */
    static RoomEntry of(List<?> entry) {
        List<?> flat = (List<?>) entry.get(1);
        Map<String, String> fields = new java.util.HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return of((String) entry.get(0), fields);
    }

    /** Whether this entry comes after the log position (null: the start of the log). */
    public boolean isAfter(String position) {
        return position == null || compare(at, position) > 0;
    }

    /** Orders two log positions ({@code ms-seq}, both parts unsigned decimals). */
    static int compare(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int byTime = Long.compare(Long.parseLong(a.substring(0, dashA)), Long.parseLong(b.substring(0, dashB)));
        return byTime != 0 ? byTime : Long.compare(Long.parseLong(a.substring(dashA + 1)), Long.parseLong(b.substring(dashB + 1)));
    }
}
