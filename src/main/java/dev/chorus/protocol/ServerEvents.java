package dev.chorus.protocol;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The JSON events the server sends, one object per text frame, each with a {@code type}.
 * Built with JSON-P, so every string is escaped by the platform, never by hand. The README
 * documents each event with an example.
 */
public final class ServerEvents {

    /** Looked up once: {@code Json.createObjectBuilder()} would search for a provider on every call. */
    private static final JsonProvider JSON = JsonProvider.provider();

    private ServerEvents() {
    }

    /** {@code {"type":"message","room","id","from","text","ts"}}: to every member but the sender. */
    public static String message(ChatMessage message) {
        return write(messageObject(message));
    }

    /** {@code {"type":"ack","room","id","ts"}}: to the sender, in the place its message takes in the room's order. */
    public static String ack(ChatMessage message) {
        return write(JSON.createObjectBuilder()
                .add("type", "ack")
                .add("room", message.room())
                .add("id", message.id())
                .add("ts", timestamp(message)));
    }

    /**
     * {@code {"type":"join","room","member","count"}}: to the others when someone joins. A delta
     * and the new count, never the whole list: in a room of n, a wave of n joins would otherwise
     * cost n² names.
     */
    public static String join(String room, String member, int count) {
        return presence("join", room, member, count);
    }

    /** {@code {"type":"leave","room","member","count"}}: to the others when someone leaves. */
    public static String leave(String room, String member, int count) {
        return presence("leave", room, member, count);
    }

    /**
     * {@code {"type":"welcome","you","room","epoch","count","members":[...],"history":[...]}}: the
     * joiner's first event. {@code epoch} names the room's numbering: a client resumes with it. {@code members} holds the first names in order, at most a page of them; when
     * {@code count} is larger, the rest is paged from the members resource. {@code history} is
     * the message frames as they were sent, spliced in rather than serialised again.
     */
    public static String welcome(String you, String room, String epoch, int count, Collection<String> members,
            List<String> historyFrames) {
        String head = write(JSON.createObjectBuilder()
                .add("type", "welcome")
                .add("you", you)
                .add("room", room)
                .add("epoch", epoch)
                .add("count", count)
                .add("members", names(members)));
        int length = head.length() + 13 + historyFrames.size();
        for (String frame : historyFrames) {
            length += frame.length();
        }
        // Every serialised object ends with its closing brace: the history goes before it.
        StringBuilder welcome = new StringBuilder(length).append(head, 0, head.length() - 1).append(",\"history\":[");
        for (int i = 0; i < historyFrames.size(); i++) {
            welcome.append(i == 0 ? "" : ",").append(historyFrames.get(i));
        }
        return welcome.append("]}").toString();
    }

    /**
     * {@code {"room","count","members":[...],"next"}}: one page of a room's members, by name;
     * {@code next} (absent on the last page) is where the following page starts.
     */
    public static String members(String room, int count, Collection<String> page, String next) {
        JsonObjectBuilder members = JSON.createObjectBuilder()
                .add("room", room)
                .add("count", count)
                .add("members", names(page));
        if (next != null) {
            members.add("next", next);
        }
        return write(members);
    }

    /**
     * {@code {"type":"gap","room","after","until","reset"}}: sent before the welcome of a client that
     * resumes with {@code since}, when messages with {@code after < id < until} are no longer kept.
     * {@code reset} means the room's numbering is not the one the client's ids came from (the
     * server restarted or forgot the room; {@code until <= after} says so too, for clients that
     * predate {@code reset}): the client should forget its position and take the welcome's history.
     */
    public static String gap(String room, long after, long until, boolean reset) {
        return write(JSON.createObjectBuilder()
                .add("type", "gap")
                .add("room", room)
                .add("after", after)
                .add("until", until)
                .add("reset", reset));
    }

    /** {@code {"type":"error","code","reason"}}: a request the server refused; the connection stays open. */
    public static String error(String code, String reason) {
        return write(JSON.createObjectBuilder()
                .add("type", "error")
                .add("code", code)
                .add("reason", reason));
    }

    /**
     * {@code {"type":"notice","from","text","ts","origin":"server"}}: a private notice from the
     * application to every connection of one user; {@code from} only if the application named one.
     */
    public static String notice(String from, String text, Instant ts) {
        JsonObjectBuilder object = JSON.createObjectBuilder().add("type", "notice");
        if (from != null) {
            object.add("from", from);
        }
        return write(object.add("text", text).add("ts", UtcTimestamps.of(ts)).add("origin", "server"));
    }

    private static String presence(String type, String room, String member, int count) {
        return write(JSON.createObjectBuilder()
                .add("type", type)
                .add("room", room)
                .add("member", member)
                .add("count", count));
    }

    private static JsonObjectBuilder messageObject(ChatMessage message) {
        JsonObjectBuilder object = JSON.createObjectBuilder()
                .add("type", "message")
                .add("room", message.room())
                .add("id", message.id())
                .add("from", message.from())
                .add("text", message.text())
                .add("ts", timestamp(message));
        // A field no client can produce: clients choose their name, never this.
        return message.fromServer() ? object.add("origin", "server") : object;
    }

    private static JsonArrayBuilder names(Collection<String> members) {
        JsonArrayBuilder names = JSON.createArrayBuilder();
        members.forEach(names::add);
        return names;
    }

    /** ISO-8601 UTC, to the millisecond, e.g. {@code 2026-11-25T09:19:07.123Z}. */
    private static String timestamp(ChatMessage message) {
        return UtcTimestamps.of(message.ts());
    }

    private static String write(JsonObjectBuilder event) {
        JsonObject object = event.build();
        StringWriter out = new StringWriter(128);
        try (var writer = JSON.createWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
