package dev.chorus.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployed WAR and a backend outside the JVM: a real HTTP receiver on loopback (the JDK's
 * server) takes the webhook's events and answers the room policy.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WebhookIT {

    private static final String SECRET = "it-webhook-secret";
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final Queue<JsonObject> EVENTS = new ConcurrentLinkedQueue<>();
    private static final AtomicBoolean DOWN = new AtomicBoolean();
    private static final AtomicBoolean BAD_SIGNATURE = new AtomicBoolean();
    private static final HttpServer BACKEND = backend();

    @ArquillianResource
    private URL deployedAt;

    private final List<ChatClient> opened = new CopyOnWriteArrayList<>();

    @Deployment(testable = false)
    static WebArchive withWebhookAndPolicy() {
        String backend = "http://127.0.0.1:" + BACKEND.getAddress().getPort();
        return DeployedChorus.builtWarConfigured("hooks.war", "chorus.webhook.url=" + backend + "/events",
                "chorus.webhook.secret=" + SECRET, "chorus.webhook.attempts=2", "chorus.policy.url=" + backend + "/policy");
    }

    /** Events at /events (503 while DOWN); the policy at /policy: room "closed" is refused, a text with "veto" too. */
    private static HttpServer backend() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/events", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (!Webhook.signature(SECRET.getBytes(StandardCharsets.UTF_8), body)
                        .equals(exchange.getRequestHeaders().getFirst(Webhook.SIGNATURE))) {
                    BAD_SIGNATURE.set(true);
                }
                if (!DOWN.get()) {
                    EVENTS.add(json(body));
                }
                exchange.sendResponseHeaders(DOWN.get() ? 503 : 204, -1);
                exchange.close();
            });
            server.createContext("/policy", exchange -> {
                JsonObject question = json(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                boolean refused = question.getString("room").equals("closed") || question.getString("text", "").contains("veto");
                byte[] answer = (refused ? "{\"allow\": false, \"reason\": \"not here\"}" : "{\"allow\": true}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopBackend() {
        BACKEND.stop(0);
    }

    @AfterEach
    void closeClients() {
        DOWN.set(false);
        opened.forEach(ChatClient::close);
    }

    @Test
    void theBackendGetsEveryEventSignedAndInTheRoomsOrder() {
        ChatClient alice = member("hooked", "alice");
        ChatClient bob = member("hooked", "bob");
        for (int i = 1; i <= 5; i++) {
            alice.send("m" + i);
        }
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), bob.nextTexts(5));

        await().atMost(WITHIN).until(() -> inRoom("hooked").stream().filter(e -> e.getString("type").equals("message")).count() == 5);
        List<JsonObject> events = inRoom("hooked");
        assertEquals(List.of("join", "join", "message", "message", "message", "message", "message"),
                events.stream().map(e -> e.getString("type")).toList());
        assertEquals(List.of(1, 2, 3, 4, 5), events.stream().filter(e -> e.containsKey("id")).map(e -> e.getInt("id")).toList());
        assertEquals("alice", events.get(2).getString("from"));
        assertTrue(!BAD_SIGNATURE.get(), "every body carries the signature of the configured secret");
    }

    @Test
    void aBackendThatIsDownCostsMembersNothingAndTheDropsAreCounted() {
        ChatClient alice = member("down", "alice");
        ChatClient bob = member("down", "bob");
        DOWN.set(true);
        for (int i = 1; i <= 3; i++) {
            alice.send("while down " + i);
        }
        assertEquals(List.of("while down 1", "while down 2", "while down 3"), bob.nextTexts(3), "members lose nothing");
        await().atMost(WITHIN).until(() -> chorus().metrics().getOrDefault("chorus_webhook_dropped_total", 0L) >= 3);
        assertTrue(chorus().metrics().get("chorus_webhook_retries_total") >= 3, "each tried again before it was dropped");
    }

    @Test
    void theBackendsPolicyRefusesAJoinAndVetoesAMessageWithoutSpendingAnId() {
        ChatClient mallory = ChatClient.connect(chorus().chat("closed", "name=mallory"));
        opened.add(mallory);
        assertEquals("forbidden", mallory.next("error").getString("code"));
        assertEquals(1008, mallory.closeReason().getCloseCode().getCode());

        ChatClient alice = member("vetoed", "alice");
        ChatClient bob = member("vetoed", "bob");
        alice.send("one");
        alice.send("a veto me");
        assertEquals("rejected", alice.next("error").getString("code"));
        alice.send("two");
        assertEquals(1, bob.next("message").getInt("id"));
        JsonObject two = bob.next("message");
        assertEquals("two", two.getString("text"));
        assertEquals(2, two.getInt("id"), "the vetoed message spent no id");
    }

    private ChatClient member(String room, String name) {
        ChatClient client = ChatClient.connect(chorus().chat(room, "name=" + name));
        opened.add(client);
        client.next("welcome");
        return client;
    }

    private static List<JsonObject> inRoom(String room) {
        return EVENTS.stream().filter(e -> e.getString("room").equals(room)).toList();
    }

    private ChorusInstance chorus() {
        return ChorusInstance.at(deployedAt);
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }
}
