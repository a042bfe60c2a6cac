package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.chorus.config.ChatConfiguration;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The room policy asked over HTTP of a real backend on loopback, and what a backend that cannot answer means. */
class PolicyBackendTest {

    private final Queue<JsonObject> asked = new ConcurrentLinkedQueue<>();
    private final Queue<String> signatures = new ConcurrentLinkedQueue<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private HttpServer backend;

    @AfterEach
    void stop() {
        released.countDown();
        if (backend != null) {
            backend.stop(0);
        }
    }

    /** A backend that answers each question with the status and body {@code answer} gives. */
    private String backend(Function<JsonObject, String> answer, int status) throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/policy", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonObject question = Json.createReader(new StringReader(body)).readObject();
            asked.add(question);
            signatures.add(String.valueOf(exchange.getRequestHeaders().getFirst(Webhook.SIGNATURE)).equals(
                    Webhook.signature("s3cret".getBytes(StandardCharsets.UTF_8), body)) ? "valid" : "invalid");
            byte[] reply = answer.apply(question).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        backend.setExecutor(null);
        backend.start();
        return "http://127.0.0.1:" + backend.getAddress().getPort() + "/policy";
    }

    private static PolicyBackend policy(String url, boolean failOpen) {
        return new PolicyBackend(new ChatConfiguration.PolicyTarget(url, Duration.ofMillis(300), failOpen), "s3cret");
    }

    @Test
    void theBackendDecidesJoinsAndMessagesWithItsOwnReason() throws IOException {
        PolicyBackend policy = policy(backend(question -> question.getString("action").equals("join")
                ? "{\"allow\": " + question.getString("room").equals("open") + ", \"reason\": \"members only\"}"
                : question.getString("text").contains("spam") ? "{\"allow\": false}" : "{\"allow\": true}", 200), false);

        assertTrue(policy.mayJoin("open", "alice").allowed());
        assertEquals(RoomPolicy.Verdict.refuse("members only"), policy.mayJoin("vip", "alice"));
        assertTrue(policy.mayPost("open", "alice#2", "hello").allowed());
        RoomPolicy.Verdict spam = policy.mayPost("open", "alice", "buy spam");
        assertFalse(spam.allowed());
        assertEquals("refused by the room policy", spam.reason());

        JsonObject post = asked.stream().filter(q -> q.getString("action").equals("post")).findFirst().orElseThrow();
        assertEquals("alice#2", post.getString("member"));
        assertEquals("hello", post.getString("text"));
        assertTrue(signatures.stream().allMatch("valid"::equals), "signed as the webhook is: the backend can tell it is Chorus");
    }

    @Test
    void aBackendThatFailsOrAnswersNonsenseRefusesByDefaultAndAllowsWhenFailOpen() throws IOException {
        String failing = backend(question -> "oops", 500);
        assertFalse(policy(failing, false).mayJoin("open", "alice").allowed());
        assertTrue(policy(failing, true).mayJoin("open", "alice").allowed());
        backend.stop(0);

        String nonsense = backend(question -> "{\"allow\": \"yes\"}", 200);
        assertEquals("the room policy could not decide", policy(nonsense, false).mayPost("open", "alice", "hi").reason());
    }

    @Test
    void aSlowBackendIsGivenUpOnAfterTheTimeout() throws IOException {
        String slow = backend(question -> {
            try {
                released.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "{\"allow\": true}";
        }, 200);
        long started = System.nanoTime();
        assertFalse(policy(slow, false).mayJoin("open", "alice").allowed());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "bounded by the timeout, not the backend");
    }

    @Test
    void aBackendThatIsDownRefuses() {
        assertFalse(policy("http://127.0.0.1:9/policy", false).mayJoin("open", "alice").allowed());
    }
}
