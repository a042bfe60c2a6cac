package dev.chorus.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook against a real HTTP receiver on loopback: signed, in order, retried, bounded. */
class WebhookTest {

    private static final String SECRET = "whsec-test";
    private static final Duration WITHIN = Duration.ofSeconds(10);

    private final List<Webhook> hooks = new ArrayList<>();
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private HttpServer receiver;

    private record Received(String body, String signature, String delivery) {
        JsonObject json() {
            return Json.createReader(new StringReader(body)).readObject();
        }
    }

    @AfterEach
    void stop() {
        hooks.forEach(Webhook::stop);
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    /** A receiver that answers each POST with the next status (200 once they run out), after {@code before} opens. */
    private String receiver(CountDownLatch before, int... statuses) throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger calls = new AtomicInteger();
        receiver.createContext("/hook", exchange -> {
            try {
                before.await(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int call = calls.getAndIncrement();
            int status = call < statuses.length ? statuses[call] : 200;
            if (status == 200) {
                received.add(new Received(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                        exchange.getRequestHeaders().getFirst(Webhook.SIGNATURE), exchange.getRequestHeaders().getFirst(Webhook.DELIVERY)));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private Webhook hook(String url, int queue, int attempts) {
        Webhook hook = new Webhook(new ChatConfiguration.WebhookTarget(url, SECRET, queue, attempts, Duration.ofSeconds(2)),
                Duration.ofMillis(20));
        hooks.add(hook);
        return hook;
    }

    private static RoomEvents.MessageAccepted message(long id) {
        return new RoomEvents.MessageAccepted("lobby", id, "alice", "m" + id, Instant.parse("2026-12-05T10:00:00.123456Z"), false);
    }

    @Test
    void eachEventArrivesSignedInTheRoomsOrder() throws IOException {
        Webhook hook = hook(receiver(new CountDownLatch(0)), 100, 3);
        hook.offer(new RoomEvents.MemberJoined("lobby", "alice"));
        for (long id = 1; id <= 20; id++) {
            hook.offer(message(id));
        }
        hook.offer(new RoomEvents.MemberLeft("lobby", "alice"));

        await().atMost(WITHIN).until(() -> hook.delivered() == 22);
        List<JsonObject> bodies = received.stream().map(Received::json).toList();
        assertEquals("join", bodies.get(0).getString("type"));
        assertEquals("leave", bodies.get(21).getString("type"));
        for (int i = 1; i <= 20; i++) {
            assertEquals(i, bodies.get(i).getInt("id"), "in the room's order");
        }
        JsonObject first = bodies.get(1);
        assertEquals("m1", first.getString("text"));
        assertEquals("2026-12-05T10:00:00.123Z", first.getString("ts"));
        for (Received one : received) {
            assertEquals(Webhook.signature(SECRET.getBytes(StandardCharsets.UTF_8), one.body()), one.signature(),
                    "a receiver that knows the secret can check every body");
            assertTrue(one.signature().matches("sha256=[0-9a-f]{64}"));
        }
        assertEquals("1", received.peek().delivery());
        assertEquals(0, hook.dropped() + hook.retries());
    }

    @Test
    void aBackendThatFailsForAWhileGetsEveryEventInOrderOnceItIsBack() throws IOException {
        Webhook hook = hook(receiver(new CountDownLatch(0), 503, 500, 429), 100, 6);
        hook.offer(message(1));
        hook.offer(message(2));

        await().atMost(WITHIN).until(() -> hook.delivered() == 2);
        assertEquals(List.of(1, 2), received.stream().map(r -> r.json().getInt("id")).toList());
        assertEquals(3, hook.retries());
        assertEquals(0, hook.dropped());
    }

    @Test
    void anEventTheBackendRefusesOrThatFailsEveryTryIsDroppedAndCountedAndTheNextGoesOn() throws IOException {
        Webhook hook = hook(receiver(new CountDownLatch(0), 400, 503, 503), 100, 2);
        hook.offer(message(1));
        hook.offer(message(2));
        hook.offer(message(3));

        await().atMost(WITHIN).until(() -> hook.delivered() + hook.dropped() == 3);
        assertEquals(2, hook.dropped(), "a 400 is not tried again; two 503s spend both tries");
        assertEquals(1, hook.retries());
        assertEquals(List.of(3), received.stream().map(r -> r.json().getInt("id")).toList());
    }

    @Test
    void aBackendThatIsDownCostsDroppedEventsNotABlockedCaller() {
        Webhook hook = hook("http://127.0.0.1:9/hook", 100, 2);
        hook.offer(message(1));
        await().atMost(WITHIN).until(() -> hook.dropped() == 1);
        assertEquals(1, hook.retries());
    }

    @Test
    void aFullQueueDropsAndCountsWhatDoesNotFit() throws IOException {
        CountDownLatch open = new CountDownLatch(1);
        Webhook hook = hook(receiver(open), 2, 1);
        hook.offer(message(1));
        await().atMost(WITHIN).until(() -> hook.queued() == 0);
        for (long id = 2; id <= 6; id++) {
            hook.offer(message(id));
        }
        assertEquals(3, hook.dropped(), "one in flight, two queued, three dropped at once");
        open.countDown();
        await().atMost(WITHIN).until(() -> hook.delivered() == 3);
        assertEquals(List.of(1, 2, 3), received.stream().map(r -> r.json().getInt("id")).toList());
    }

    @Test
    void nothingIsTakenWithoutAUrl() {
        Webhook hook = hook("", 10, 1);
        hook.offer(message(1));
        assertEquals(0, hook.queued());
        assertEquals(false, hook.isOn());
    }
}
