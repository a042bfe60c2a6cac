package dev.chorus.api;

import dev.chorus.config.ChatConfiguration;
import dev.chorus.config.ChatSettings;
import dev.chorus.handshake.HandshakeRate;
import dev.chorus.handshake.HandshakeRules;
import dev.chorus.protocol.ServerEvents;
import dev.chorus.room.MembersPage;
import dev.chorus.room.Rooms;
import dev.chorus.room.Sequence;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/**
 * Rooms' members, and operator actions on rooms. The actions are off unless
 * {@code chorus.admin.enabled=true}: until a security constraint protects {@code /api/rooms/*},
 * anyone who can reach the server could use them. The member list is what any client that joins
 * the room is shown, so it is as open as the room, and read as often as the caller's address may
 * open chat connections: in a cluster each read is a read of Redis.
 */
@Path("rooms")
public class RoomsResource {

    @Inject
    Rooms registry;

    @Inject
    ChatConfiguration configuration;

    @Inject
    ChatSettings settings;

    @Context
    SecurityContext security;

    @Context
    HttpServletRequest request;

    /** Each read of the member list takes one of the caller's address's handshakes. */
    @Inject
    HandshakeRate rate;

    /** Who the caller is behind a trusted proxy. */
    @Inject
    HandshakeRules rules;

    /**
     * {@code GET /chorus/api/rooms/{room}/members?after=NAME&limit=N}: a page of the room's member
     * names in order (at most 100, the default), the count, and {@code next}, the {@code after}
     * of the following page (absent on the last). 404 when nobody is in the room; 400 for a limit
     * below 1; 401 for an anonymous caller where joining needs sign-in ({@code chorus.auth.required}):
     * the list is as open as the room; 429 (retry after a second) from an address over
     * {@code chorus.limits.handshakes-per-second-per-address}, which reads and handshakes share;
     * 503 from a cluster node that cannot read Redis now.
     */
    @GET
    @Path("{room}/members")
    @Produces(MediaType.APPLICATION_JSON)
    public Response members(@PathParam("room") String room, @QueryParam("after") String after,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        Status refused = membersRefusal(limit);
        if (refused != null) {
            return switch (refused) {
                case UNAUTHORIZED -> Response.status(refused).entity("sign in: this server's rooms are for signed-in users").build();
                case TOO_MANY_REQUESTS -> Response.status(refused).header("Retry-After", "1")
                        .entity("too many requests from your address").build();
                default -> Response.status(refused).entity("limit must be 1 or more").build();
            };
        }
        MembersPage page;
        try {
            page = registry.members(room, after, limit);
        } catch (Sequence.Unavailable e) {
            return ApiReplies.plain(Status.SERVICE_UNAVAILABLE, "the cluster's Redis is not reached");
        }
        if (page == null) {
            return Response.status(Status.NOT_FOUND).build();
        }
        return Response.ok(ServerEvents.members(room, page.count(), page.names(), page.next())).build();
    }

    /**
     * Why this request may not read a member list (401, 400, 429 in that order), or null if it
     * may; a request that gets this far takes one of its address's handshakes.
     */
    Status membersRefusal(int limit) {
        if (settings.access().signInRequired() && security.getUserPrincipal() == null) {
            return Status.UNAUTHORIZED;
        }
        if (limit < 1) {
            return Status.BAD_REQUEST;
        }
        String client = rules.proxies().client(request.getRemoteAddr(), request.getHeaders("X-Forwarded-For"));
        return rate.admits(client) ? null : Status.TOO_MANY_REQUESTS;
    }

    /**
     * {@code POST /chorus/api/rooms/{room}/members/{member}/reconnect}: closes that member's
     * connection with 1012, so its client reconnects and resumes (e.g. to move it to another node).
     * 204 when done, 404 when no such member is in the room, 403 when operator actions are off.
     */
    @POST
    @Path("{room}/members/{member}/reconnect")
    public Response reconnect(@PathParam("room") String room, @PathParam("member") String member) {
        if (!configuration.adminEnabled()) {
            return Response.status(Status.FORBIDDEN).entity("operator actions are off (chorus.admin.enabled)").build();
        }
        return registry.reconnect(room, member) ? Response.noContent().build() : Response.status(Status.NOT_FOUND).build();
    }
}
