package dev.chorus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every key reaches Chorus through the server's MicroProfile Config: a deployment sets each one
 * in its {@code microprofile-config.properties}, and the keys the build also sets as environment
 * variables (see the pom) must take those instead, as MicroProfile Config ranks them higher.
 * What each setting then does is tested where it acts (unit tests and the other ITs).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConfigurationIT {

    /** In the deployment's file: every key, none at its default. */
    private static final Map<String, Object> IN_FILE = new LinkedHashMap<>();
    /** Set by the build's environment, which must win over the file. */
    private static final Map<String, Object> IN_ENVIRONMENT = Map.of(
            "chorus.rate.burst", 250,
            "chorus.outbox.send-timeout-seconds", 3,
            "chorus.heartbeat.seconds", 1,
            "chorus.heartbeat.silence-seconds", 4,
            "chorus.limits.max-connections", 60,
            "chorus.limits.handshakes-per-second-per-address", 1000.0,
            "chorus.origins", "https://chat.example.org",
            "chorus.admin.enabled", true);

    private static final String REDIS_PASSWORD = "s3cret-in-uri";
    private static final String API_TOKEN = "t0ken-in-file";
    private static final String WEBHOOK_PASSWORD = "hook-pw-in-uri";
    private static final String WEBHOOK_SECRET = "hmac-key-in-file";

    static {
        IN_FILE.put("chorus.history.size", 7);
        IN_FILE.put("chorus.history.retained-rooms", 11);
        IN_FILE.put("chorus.history.max-chars", 20000);
        IN_FILE.put("chorus.history.total-max-chars", 300000);
        IN_FILE.put("chorus.message.max-bytes", 4096);
        IN_FILE.put("chorus.rate.messages-per-second", 2.5);
        IN_FILE.put("chorus.rate.burst", 5);
        IN_FILE.put("chorus.rate.strikes", 3);
        IN_FILE.put("chorus.outbox.max-messages", 99);
        IN_FILE.put("chorus.outbox.max-chars", 12345);
        IN_FILE.put("chorus.outbox.send-timeout-seconds", 30);
        IN_FILE.put("chorus.outbox.send-lanes", 3);
        IN_FILE.put("chorus.outbox.batch-delay-ms", 5);
        IN_FILE.put("chorus.outbox.total-max-chars", 50000000);
        IN_FILE.put("chorus.heartbeat.seconds", 5);
        IN_FILE.put("chorus.heartbeat.silence-seconds", 15);
        IN_FILE.put("chorus.limits.max-connections", 500);
        IN_FILE.put("chorus.limits.max-connections-per-address", 9);
        IN_FILE.put("chorus.limits.max-rooms", 321);
        IN_FILE.put("chorus.limits.new-rooms-per-minute", 4321);
        IN_FILE.put("chorus.limits.handshakes-per-second-per-address", 7.5);
        IN_FILE.put("chorus.limits.trusted-proxies", "10.0.0.5");
        IN_FILE.put("chorus.auth.required", true);
        IN_FILE.put("chorus.origins", "https://file.example.org");
        IN_FILE.put("chorus.origins.allow-missing", false);
        IN_FILE.put("chorus.admin.enabled", false);
        IN_FILE.put("chorus.api.token", API_TOKEN);
        IN_FILE.put("chorus.api.publishes-per-second", 12.5);
        // Nothing listens on port 1, and nothing in this test joins or speaks: neither backend is called.
        IN_FILE.put("chorus.webhook.url", "http://hook:" + WEBHOOK_PASSWORD + "@127.0.0.1:1/events");
        IN_FILE.put("chorus.webhook.secret", WEBHOOK_SECRET);
        IN_FILE.put("chorus.webhook.queue", 77);
        IN_FILE.put("chorus.webhook.attempts", 2);
        IN_FILE.put("chorus.webhook.timeout-ms", 1500);
        IN_FILE.put("chorus.policy.url", "http://127.0.0.1:1/policy");
        IN_FILE.put("chorus.policy.timeout-ms", 250);
        IN_FILE.put("chorus.policy.fail-open", true);
        // Nothing listens on port 1: the node keeps trying in the background, which this test does not mind.
        IN_FILE.put("chorus.cluster.redis-uri", "redis://chorus:" + REDIS_PASSWORD + "@127.0.0.1:1/0");
        IN_FILE.put("chorus.cluster.node-ttl-seconds", 7);
        IN_FILE.put("chorus.cluster.empty-room-ttl-seconds", 3600);
    }

    @ArquillianResource
    private URL deployedAt;

    @Deployment(testable = false)
    static WebArchive configuredInFile() {
        return DeployedChorus.builtWarConfigured("chorus.war", IN_FILE.entrySet().stream()
                .map(setting -> setting.getKey() + "=" + setting.getValue()).toArray(String[]::new));
    }

    @Test
    void everyKeyTakesEffectAndTheEnvironmentWinsOverTheDeploymentsFile() {
        Map<String, Object> expected = new LinkedHashMap<>(IN_FILE);
        expected.putAll(IN_ENVIRONMENT);

        JsonObject effective;
        try (JsonReader reader = Json.createReader(new StringReader(
                ChorusInstance.at(deployedAt).get("api/settings").body()))) {
            effective = reader.readObject();
        }

        assertEquals(expected.keySet(), effective.keySet(), "every documented key, and no other");
        assertFalse(effective.toString().contains(REDIS_PASSWORD), "the settings never show the Redis password");
        assertFalse(effective.toString().contains(API_TOKEN), "nor the API's token");
        assertFalse(effective.toString().contains(WEBHOOK_PASSWORD) || effective.toString().contains(WEBHOOK_SECRET),
                "nor the webhook's credentials or key");
        expected.put("chorus.cluster.redis-uri", "redis://***@127.0.0.1:1/0");
        expected.put("chorus.api.token", "***");
        expected.put("chorus.webhook.url", "http://***@127.0.0.1:1/events");
        expected.put("chorus.webhook.secret", "***");
        expected.forEach((key, value) -> assertEquals(String.valueOf(value), unquoted(effective.get(key).toString()), key));
    }

    private static String unquoted(String json) {
        return json.startsWith("\"") ? json.substring(1, json.length() - 1) : json;
    }
}
