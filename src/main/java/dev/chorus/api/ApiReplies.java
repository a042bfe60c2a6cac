package dev.chorus.api;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.io.StringReader;

/** What the HTTP API reads from a request body and answers a refusal with, the same in every resource. */
final class ApiReplies {

    private ApiReplies() {
    }

    /** The body as a JSON object, or null if it is not one. */
    static JsonObject object(String body) {
        try (JsonReader reader = Json.createReader(new StringReader(body == null ? "" : body))) {
            return reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            return null;
        }
    }

    /** The string member of the object, or {@code otherwise} if it has none (or another kind of value). */
    static String string(JsonObject object, String name, String otherwise) {
        return object.get(name) instanceof JsonString string ? string.getString() : otherwise;
    }

    /** 400, 413 or 429, as the refusal's kind says, with its reason. */
    static Response refused(ServerMessages.Refused refusal) {
        return plain(switch (refusal.why()) {
            case INVALID -> Status.BAD_REQUEST;
            case TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE;
            case RATE -> Status.TOO_MANY_REQUESTS;
        }, refusal.getMessage());
    }

    static Response plain(Status status, String why) {
        return Response.status(status).type(MediaType.TEXT_PLAIN).entity(why).build();
    }
}
