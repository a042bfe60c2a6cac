package dev.chorus.api;

import dev.chorus.room.Sequence;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Calls to one user over HTTP, on all of the user's connections on every node: a private notice
 * ({@code POST /chorus/api/users/{user}/notices}, JSON {@code {"text": "...", "from": "..."}}) and a
 * disconnect ({@code POST .../disconnect}, JSON {@code {"reason": "..."}} or no body). Who may:
 * {@link ApiAccess}.
 */
@Path("users/{user}")
public class UsersResource extends GuardedResource {

    /**
     * 200 with {@code {"user", "connections"}} on a single node; 202 with {@code {"user"}} in a
     * cluster (every node reaches its own connections); 404 on a single node where the user has no
     * connection; 400, 401/403, 413, 429 and 503 as for publishing.
     */
    @POST
    @Path("notices")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response notice(@PathParam("user") String user, String body) {
        return answer(user, () -> {
            JsonObject request = body(body, "{\"text\": \"...\", \"from\": \"...\"}");
            return messages.notify(user, ApiReplies.string(request, "from", null), ApiReplies.string(request, "text", null));
        });
    }

    /** Answers as {@link #notice}; the user's clients get close code 4000 with the reason. */
    @POST
    @Path("disconnect")
    @Produces(MediaType.APPLICATION_JSON)
    public Response disconnect(@PathParam("user") String user, String body) {
        return answer(user, () -> {
            JsonObject request = body == null || body.isBlank() ? JsonObject.EMPTY_JSON_OBJECT : body(body, "{\"reason\": \"...\"}");
            return messages.disconnect(user, ApiReplies.string(request, "reason", null));
        });
    }

    private static JsonObject body(String body, String shape) {
        JsonObject request = ApiReplies.object(body);
        if (request == null) {
            throw new ServerMessages.Refused(ServerMessages.Refused.Why.INVALID, "the body must be a JSON object: " + shape);
        }
        return request;
    }

    private Response answer(String user, Supplier<OptionalLong> call) {
        Response refusal = refusal();
        if (refusal != null) {
            return refusal;
        }
        try {
            OptionalLong reached = call.get();
            JsonObjectBuilder answer = Json.createObjectBuilder().add("user", user);
            if (reached.isEmpty()) {
                return Response.accepted(answer.build()).build();
            }
            if (reached.getAsLong() == 0) {
                return ApiReplies.plain(Status.NOT_FOUND, "user " + user + " has no connection");
            }
            return Response.ok(answer.add("connections", reached.getAsLong()).build()).build();
        } catch (ServerMessages.Refused e) {
            return ApiReplies.refused(e);
        } catch (Sequence.Unavailable e) {
            return ApiReplies.plain(Status.SERVICE_UNAVAILABLE, "the cluster's Redis is not reached; nobody was reached");
        }
    }
}
