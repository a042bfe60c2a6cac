package dev.chorus.api;

import dev.chorus.protocol.JoinRequest;
import dev.chorus.room.HistoryPage;
import dev.chorus.room.Published;
import dev.chorus.room.Rooms;
import dev.chorus.room.Sequence;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.Response;

/**
 * A room's messages over HTTP, for backends in any language: publish one
 * ({@code POST /chorus/api/rooms/{room}/messages}, JSON {@code {"text": "...", "from": "..."}}) and
 * read the kept ones ({@code GET ...?since=&limit=}). Who may: {@link ApiAccess}.
 */
@Path("rooms/{room}/messages")
public class RoomMessagesResource extends GuardedResource {

    /** Messages one page holds at most. */
    static final int PAGE = 100;

    @Inject
    Rooms rooms;

    /**
     * 201 with {@code {"room", "id", "epoch", "ts"}}; 400 for a bad room, name, body or blank text;
     * 401/403 (see {@link ApiAccess}); 413 over {@code chorus.message.max-bytes}; 429 over
     * {@code chorus.api.publishes-per-second}; 503 when the cluster's Redis cannot be reached.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@PathParam("room") String room, String body) {
        Response refusal = refusal();
        if (refusal != null) {
            return refusal;
        }
        JsonObject request = ApiReplies.object(body);
        if (request == null) {
            return plain(Status.BAD_REQUEST, "the body must be a JSON object: {\"text\": \"...\", \"from\": \"...\"}");
        }
        String text = ApiReplies.string(request, "text", null);
        String from = ApiReplies.string(request, "from", ServerMessages.DEFAULT_FROM);
        try {
            Published published = messages.publish(room, from, text);
            return Response.status(Status.CREATED).entity(Json.createObjectBuilder()
                    .add("room", published.room())
                    .add("id", published.id())
                    .add("epoch", published.epoch())
                    .add("ts", published.ts().toString())
                    .build()).build();
        } catch (ServerMessages.Refused e) {
            return ApiReplies.refused(e);
        } catch (Sequence.Unavailable e) {
            return plain(Status.SERVICE_UNAVAILABLE, "the cluster's Redis is not reached; nothing was published");
        }
    }

    /**
     * 200 with {@code {"room", "epoch", "messages": [message events, oldest first], "next"}} (next:
     * the {@code since} of the following page, absent on the last); 404 when the room keeps no
     * message; 400 for a bad room, since or limit; 401/403 as for publishing; 503 as above.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response history(@PathParam("room") String room, @QueryParam("since") @DefaultValue("0") String sinceParam,
            @QueryParam("limit") @DefaultValue("100") String limitParam) {
        Response refusal = refusal();
        if (refusal != null) {
            return refusal;
        }
        long since = whole(sinceParam);
        long limit = whole(limitParam);
        if (!JoinRequest.isRoomName(room) || since < 0 || limit < 1 || limit > PAGE) {
            return plain(Status.BAD_REQUEST, JoinRequest.ROOM_RULE + "; since 0 or more; limit 1 to " + PAGE);
        }
        try {
            HistoryPage page = rooms.history(room, since, (int) limit);
            if (page == null) {
                return plain(Status.NOT_FOUND, "room " + room + " keeps no message");
            }
            // Each message is a serialised event already: the page is written around them, not re-parsed.
            StringBuilder json = new StringBuilder(64 + page.messages().stream().mapToInt(String::length).sum())
                    .append("{\"room\":").append(Json.createValue(room)).append(",\"epoch\":")
                    .append(Json.createValue(page.epoch())).append(",\"messages\":[")
                    .append(String.join(",", page.messages())).append(']');
            if (page.next() > 0) {
                json.append(",\"next\":").append(page.next());
            }
            return Response.ok(json.append('}').toString()).build();
        } catch (Sequence.Unavailable e) {
            return plain(Status.SERVICE_UNAVAILABLE, "the cluster's Redis is not reached");
        }
    }

    /** The parameter as a whole number, or -1 if it is not one. */
    private static long whole(String parameter) {
        try {
            return Long.parseLong(parameter);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Response plain(Status status, String why) {
        return ApiReplies.plain(status, why);
    }
}
