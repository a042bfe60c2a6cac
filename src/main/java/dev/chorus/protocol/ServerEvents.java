package dev.chorus.protocol;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import java.io.StringWriter;
import java.time.temporal.ChronoUnit;
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

    /** {@code {"type":"join","room","member","members":[...]}}: to the others when someone joins. */
    public static String join(String room, String member, Collection<String> members) {
        return presence("join", room, member, members);
    }

    /** {@code {"type":"leave","room","member","members":[...]}}: to the others when someone leaves. */
    public static String leave(String room, String member, Collection<String> members) {
        return presence("leave", room, member, members);
    }

    /** {@code {"type":"welcome","you","room","members":[...],"history":[...]}}: the joiner's first event. */
    public static String welcome(String you, String room, Collection<String> members, List<ChatMessage> history) {
        JsonArrayBuilder messages = JSON.createArrayBuilder();
        history.forEach(message -> messages.add(messageObject(message)));
        return write(JSON.createObjectBuilder()
                .add("type", "welcome")
                .add("you", you)
                .add("room", room)
                .add("members", names(members))
                .add("history", messages));
    }

    /**
     * {@code {"type":"gap","room","after","until"}}: sent before the welcome of a client that
     * resumes with {@code since}, when messages with {@code after < id < until} are no longer kept.
     * {@code until <= after} means the room's numbering started again (the server restarted or
     * forgot the room): the client should forget its position and take the welcome's history.
     */
    public static String gap(String room, long after, long until) {
        return write(JSON.createObjectBuilder()
                .add("type", "gap")
                .add("room", room)
                .add("after", after)
                .add("until", until));
    }

    /** {@code {"type":"error","code","reason"}}: a request the server refused; the connection stays open. */
    public static String error(String code, String reason) {
        return write(JSON.createObjectBuilder()
                .add("type", "error")
                .add("code", code)
                .add("reason", reason));
    }

    private static String presence(String type, String room, String member, Collection<String> members) {
        return write(JSON.createObjectBuilder()
                .add("type", type)
                .add("room", room)
                .add("member", member)
                .add("members", names(members)));
    }

    private static JsonObjectBuilder messageObject(ChatMessage message) {
        return JSON.createObjectBuilder()
                .add("type", "message")
                .add("room", message.room())
                .add("id", message.id())
                .add("from", message.from())
                .add("text", message.text())
                .add("ts", timestamp(message));
    }

    private static JsonArrayBuilder names(Collection<String> members) {
        JsonArrayBuilder names = JSON.createArrayBuilder();
        members.forEach(names::add);
        return names;
    }

    /** ISO-8601 UTC, to the millisecond, e.g. {@code 2026-11-25T09:19:07.123Z}. */
    private static String timestamp(ChatMessage message) {
        return message.ts().truncatedTo(ChronoUnit.MILLIS).toString();
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
