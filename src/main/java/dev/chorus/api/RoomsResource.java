package dev.chorus.api;

import dev.chorus.chat.SessionRegistry;
import dev.chorus.config.ChatConfiguration;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

/**
 * Operator actions on rooms. Off unless {@code chorus.admin.enabled=true}: until a security
 * constraint protects {@code /api/rooms/*}, anyone who can reach the server could use them.
 */
@Path("rooms")
public class RoomsResource {

    @Inject
    SessionRegistry registry;

    @Inject
    ChatConfiguration configuration;

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
