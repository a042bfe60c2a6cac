package dev.chorus.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObservabilityIT extends DeployedChorus {

    @Test
    void healthSaysUp() {
        try (var reader = Json.createReader(new StringReader(get("api/health").body()))) {
            JsonObject health = reader.readObject();
            assertEquals("UP", health.getString("status"));
        }
    }

    @Test
    void metricsCountSessionsMessagesDeliveriesAndClosesByCode() {
        Map<String, Long> before = metrics();
        ChatClient alice = join("metrics", "alice");
        ChatClient bob = join("metrics", "bob");
        for (int i = 0; i < 3; i++) {
            alice.send("m" + i);
        }
        bob.nextTexts(3);
        connect("metrics", "name=%3Cbad%3E").closeReason();
        // The server counts a close when its own close callback has run, which may trail the client's.
        String closes1008 = "chorus_closes_total{code=\"1008\"}";
        await().atMost(ChatClient.TIMEOUT).until(() ->
                metrics().getOrDefault(closes1008, 0L) - before.getOrDefault(closes1008, 0L) == 1);

        Map<String, Long> after = metrics();
        assertEquals(2, after.get("chorus_sessions"));
        assertEquals(1, after.get("chorus_rooms"));
        assertEquals(3, after.get("chorus_messages_received_total") - before.get("chorus_messages_received_total"));
        // Two welcomes, one join event, three messages and three acks.
        assertEquals(9, after.get("chorus_deliveries_total") - before.get("chorus_deliveries_total"));
        assertEquals(1, after.get("chorus_refused_joins_total") - before.get("chorus_refused_joins_total"));
        assertTrue(after.get("chorus_outbox_depth_max") >= 1);
    }
}
