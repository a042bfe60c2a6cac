package dev.chorus.api;

import dev.chorus.config.ChatConfiguration;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

/**
 * {@code GET /chorus/api/settings}: every setting as this deployment took it, by key (see the
 * README's table). An operator endpoint: off unless {@code chorus.admin.enabled=true}, because
 * the limits tell a client exactly how hard it may push.
 */
@Path("settings")
public class SettingsResource {

    @Inject
    ChatConfiguration configuration;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response settings() {
        if (!configuration.adminEnabled()) {
            return Response.status(Status.FORBIDDEN).entity("operator endpoints are off (chorus.admin.enabled)").build();
        }
        return Response.ok(Json.createObjectBuilder(configuration.effective()).build()).build();
    }
}
