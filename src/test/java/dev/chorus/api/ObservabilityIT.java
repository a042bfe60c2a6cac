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
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ObservabilityIT extends DeployedChorus {

    /** The container workarounds that apply to Payara (Tyrus over Grizzly), each expected active. */
    private static final Set<String> PAYARA_WORKAROUNDS = Set.of("tyrus-detached-read", "tyrus-idle-timer",
            "tyrus-framed-send", "grizzly-send-buffer", "grizzly-socket-cut", "payara-request-release");
    /** Those that apply to WildFly (Undertow). */
    private static final Set<String> WILDFLY_WORKAROUNDS = Set.of("undertow-socket-cut", "undertow-io-thread");
    private static final String WORKAROUND = "chorus_workaround_active{workaround=\"";

    @Test
    void healthSaysUp() {
        try (var reader = Json.createReader(new StringReader(get("api/health").body()))) {
            JsonObject health = reader.readObject();
            assertEquals("UP", health.getString("status"));
        }
    }

    /**
     * Every workaround for this server's container takes effect on it: a container update that
     * moves a field one of them reaches by name fails here, not on a user's node. Listed once
     * tried (a connection opened and closed), and 1 while active.
     */
    @Test
    void everyContainerWorkaroundOfThisServerIsActive() {
        join("workarounds", "carol").close();
        await().atMost(ChatClient.TIMEOUT).untilAsserted(() -> {
            Set<String> tried = workaroundStates().keySet();
            assertTrue(tried.equals(PAYARA_WORKAROUNDS) || tried.equals(WILDFLY_WORKAROUNDS),
                    "workarounds tried so far: " + tried);
        });

        Map<String, Long> states = workaroundStates();
        Set<String> fellBack = states.entrySet().stream().filter(state -> state.getValue() != 1)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertEquals(Set.of(), fellBack, "fallen back (the server's log has a WARNING saying why): " + states);
        try (var reader = Json.createReader(new StringReader(get("api/health").body()))) {
            JsonObject inHealth = reader.readObject().getJsonObject("workarounds");
            assertEquals(states.keySet(), inHealth.keySet());
            inHealth.forEach((workaround, state) -> assertEquals("\"active\"", state.toString(), workaround));
        }
    }

    /** Each workaround's state from the metrics: 1 active, 0 fallen back. */
    private Map<String, Long> workaroundStates() {
        Map<String, Long> states = new TreeMap<>();
        metrics().forEach((sample, value) -> {
            if (sample.startsWith(WORKAROUND)) {
                states.put(sample.substring(WORKAROUND.length(), sample.length() - 2), value);
            }
        });
        return states;
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
        // Everything was sent: no character stays charged to the node's outbound total.
        await().atMost(ChatClient.TIMEOUT).until(() -> metrics().get("chorus_outbox_chars") == 0);
    }
}
