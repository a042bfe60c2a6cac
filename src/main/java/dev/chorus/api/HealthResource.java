package dev.chorus.api;

import dev.chorus.cluster.RedisSequence;
import dev.chorus.container.Workarounds;
import dev.chorus.room.Rooms;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /chorus/api/health}: a load balancer's readiness check. 200 and {@code "status":"UP"}
 * once the application and its registry are deployed; a cluster node answers 503 and
 * {@code "status":"DOWN"} while its link to Redis is down (at boot, or after a loss), since it
 * then refuses joins, and its log says why. {@code "workarounds"} says of each container
 * workaround tried whether it is {@code "active"} or {@code "fallen back"} (the log's WARNING
 * says why); a fallback leaves the node up, as it still serves, only worse.
 */
@Path("health")
public class HealthResource {

    @Inject
    Rooms registry;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        boolean ready = registry.isReady();
        var body = Json.createObjectBuilder()
                .add("status", ready ? "UP" : "DOWN")
                .add("members", registry.members())
                .add("rooms", registry.rooms());
        var workarounds = Json.createObjectBuilder();
        Workarounds.ON_THIS_SERVER.states().forEach((workaround, state) ->
                workarounds.add(workaround, state.active() ? "active" : "fallen back"));
        body.add("workarounds", workarounds);
        if (registry.sequence() instanceof RedisSequence) {
            body.add("cluster", ready ? "linked" : "redis unreachable");
        }
        return Response.status(ready ? Status.OK : Status.SERVICE_UNAVAILABLE).entity(body.build()).build();
    }
}
