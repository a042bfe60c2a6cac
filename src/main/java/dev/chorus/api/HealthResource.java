package dev.chorus.api;

import dev.chorus.chat.SessionRegistry;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /chorus/api/health}: 200 and {@code "status":"UP"} once the application and its
 * registry are deployed; a load balancer's readiness check.
 */
@Path("health")
public class HealthResource {

    @Inject
    SessionRegistry registry;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject health() {
        return Json.createObjectBuilder()
                .add("status", "UP")
                .add("members", registry.members())
                .add("rooms", registry.rooms())
                .build();
    }
}
