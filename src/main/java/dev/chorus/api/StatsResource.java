package dev.chorus.api;

import dev.chorus.room.Rooms;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /chorus/api/stats}: how many members and rooms the registry holds right now. */
@Path("stats")
public class StatsResource {

    @Inject
    Rooms registry;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject stats() {
        return Json.createObjectBuilder()
                .add("members", registry.members())
                .add("rooms", registry.rooms())
                .build();
    }
}
