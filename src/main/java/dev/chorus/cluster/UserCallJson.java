package dev.chorus.cluster;

import dev.chorus.room.UserCall;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import java.io.StringReader;

/** A call to one user as it travels between nodes: a JSON object {@code {"kind","user","from"?,"text"?}}. */
final class UserCallJson {

    private UserCallJson() {
    }

    static String write(UserCall call) {
        JsonObjectBuilder object = Json.createObjectBuilder().add("kind", call.kind().name()).add("user", call.user());
        if (call.from() != null) {
            object.add("from", call.from());
        }
        if (call.text() != null) {
            object.add("text", call.text());
        }
        return object.build().toString();
    }

    /** The call the text holds; a runtime exception if it holds none. */
    static UserCall read(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            JsonObject object = reader.readObject();
            return new UserCall(UserCall.Kind.valueOf(object.getString("kind")), object.getString("user"),
                    object.getString("from", null), object.getString("text", null));
        }
    }
}
