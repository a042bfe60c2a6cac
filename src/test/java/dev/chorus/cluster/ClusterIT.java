package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.ChorusClients;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.PayaraNode;
import dev.chorus.testsupport.RedisServer;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason.CloseCodes;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two nodes and a real Redis: the server under test (Payara Micro, or WildFly in the
 * {@code wildfly} profile, which makes the pair mixed) and a Payara Micro this test starts, both
 * pointed at a {@code redis-server} on a loopback port. Clients on each node.
 * The node this test starts is frozen with SIGSTOP past its key's life, and killed with SIGKILL last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT extends ChorusClients {

    /** The survivor sweeps every third of this; a killed node's members leave within it and one sweep. */
    private static final int NODE_TTL_SECONDS = 3;
    private static RedisServer redis;
    private static PayaraNode other;

    @Deployment(testable = false)
    public static WebArchive clustered() {
        redis = RedisServer.start();
        return DeployedChorus.builtWarConfigured("cluster.war", "chorus.cluster.redis-uri=" + redis.uri(),
                "chorus.cluster.node-ttl-seconds=" + NODE_TTL_SECONDS);
    }

    @AfterAll
    static void stopNodeAndRedis() throws Exception {
        stopAll(other, redis);
    }

    /** The second node, started on first use. */
    private static ChorusInstance otherNode() {
        if (other == null) {
            other = PayaraNode.start("cluster-b", Map.of("CHORUS_CLUSTER_REDIS_URI", redis.uri(),
                    "CHORUS_CLUSTER_NODE_TTL_SECONDS", Integer.toString(NODE_TTL_SECONDS)));
        }
        ChorusInstance node = other.instance();
        await().atMost(ChatClient.TIMEOUT).until(() -> health(node) == 200);
        return node;
    }

    private ChatClient joinOn(ChorusInstance node, String room, String query) {
        return connectTo(node, room, query);
    }

    private static int health(ChorusInstance node) {
        return node.send(HttpRequest.newBuilder(node.address("http", "api/health")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    @Order(1)
    void membersOnBothNodesSeeOneConversationInOneOrder() {
        ChorusInstance b = otherNode();
        ChatClient alice = join("relay", "alice");
        ChatClient bob = joinOn(b, "relay", "name=bob");
        JsonObject bobsWelcome = bob.next("welcome");
        assertEquals(2, bobsWelcome.getInt("count"), "bob's welcome counts alice, on the other node");
        assertEquals("bob", alice.next("join").getString("member"));

        for (int i = 1; i <= 50; i++) {
            alice.send("alice:" + i);
            bob.send("bob:" + i);
        }
        List<Long> seenByAlice = new ArrayList<>();
        List<Long> seenByBob = new ArrayList<>();
        List<String> bobsFromAlice = new ArrayList<>();
        while (seenByAlice.size() < 100) {
            JsonObject event = alice.nextEvent();
            if (event.getString("type").equals("message") || event.getString("type").equals("ack")) {
                seenByAlice.add(event.getJsonNumber("id").longValue());
            }
        }
        while (seenByBob.size() < 100) {
            JsonObject event = bob.nextEvent();
            if (event.getString("type").equals("message")) {
                bobsFromAlice.add(event.getString("text"));
            }
            if (event.getString("type").equals("message") || event.getString("type").equals("ack")) {
                seenByBob.add(event.getJsonNumber("id").longValue());
            }
        }
        List<Long> contiguous = LongStream.rangeClosed(1, 100).boxed().toList();
        assertEquals(contiguous, seenByAlice, "one numbering across nodes, contiguous, each id once, in order");
        assertEquals(contiguous, seenByBob);
        assertEquals(LongStream.rangeClosed(1, 50).mapToObj(i -> "alice:" + i).toList(), bobsFromAlice,
                "alice's messages reach the other node in the order she sent them");
    }

    @Test
    @Order(2)
    void aClientResumesOnTheOtherNodeWithExactlyWhatItMissed() {
        ChorusInstance b = otherNode();
        ChatClient alice = connect("resume", "name=alice");
        String epoch = alice.next("welcome").getString("epoch");
        for (int i = 1; i <= 10; i++) {
            alice.send("m" + i);
            alice.next("ack");
        }
        ChatClient resumed = joinOn(b, "resume", "name=bob&since=5&epoch=" + epoch);
        JsonObject welcome = resumed.next("welcome");
        List<Integer> history = welcome.getJsonArray("history").getValuesAs(JsonObject.class).stream()
                .map(message -> message.getInt("id")).toList();
        assertEquals(List.of(6, 7, 8, 9, 10), history);
        assertEquals(epoch, welcome.getString("epoch"), "one numbering on both nodes");
    }

    @Test
    @Order(3)
    void whileRedisIsDownTheNodeIsNotReadyAndItsMembersAreToldToResume() {
        ChatClient alice = connect("outage", "name=alice");
        String epoch = alice.next("welcome").getString("epoch");
        alice.send("before");
        assertEquals(1, alice.next("ack").getInt("id"));

        redis.stop();
        assertEquals(CloseCodes.SERVICE_RESTART, alice.closeReason().getCloseCode(), "told to reconnect and resume");
        await().atMost(Duration.ofSeconds(10)).until(() -> health(chorus()) == 503);
        ChatClient refused = connect("outage", "name=bob");
        assertEquals(CloseCodes.TRY_AGAIN_LATER, refused.closeReason().getCloseCode());

        redis.launch();
        await().atMost(Duration.ofSeconds(15)).until(() -> health(chorus()) == 200);
        ChatClient back = connect("outage", "name=alice&since=1&epoch=" + epoch);
        JsonObject gap = back.next("gap");
        assertTrue(gap.getBoolean("reset"), "Redis came back empty: the numbering is new, and the client is told");
        back.next("welcome");
    }

    /**
     * A node frozen (SIGSTOP, as a long GC pause or a stalled machine) past its key's life is taken
     * for dead: the other node's members see its members leave, and their names are free. When it
     * wakes, it learns so before its members talk on as ghosts: they are told to resume (1012), and
     * get exactly what they missed under a name nobody else holds.
     */
    @Test
    @Order(4)
    void aNodeFrozenPastItsKeysLifeIsTakenForDeadAndItsMembersResumeWhenItWakes() {
        ChorusInstance b = otherNode();
        ChatClient alice = join("frozen", "alice");
        ChatClient bob = joinOn(b, "frozen", "name=bob");
        String epoch = bob.next("welcome").getString("epoch");
        assertEquals("bob", alice.next("join").getString("member"));
        alice.send("before");
        long seen = bob.next("message").getInt("id");
        long missed;

        other.freeze();
        try {
            assertEquals("bob", alice.next("leave").getString("member"), "taken for dead once its key expired");
            alice.send("while frozen");
            missed = alice.next("ack").getInt("id");
            ChatClient another = connect("frozen", "name=bob");
            assertEquals("bob", another.next("welcome").getString("you"), "a dead node's names are free");
        } finally {
            other.thaw();
        }

        // Sent away, not left as a ghost: told to resume (1012), or, when the waking node's own sweeps
        // (silence, stuck sends) see the frozen seconds first, its socket cut (1006); a client resumes after either.
        assertTrue(List.of(CloseCodes.SERVICE_RESTART, CloseCodes.CLOSED_ABNORMALLY).contains(bob.closeReason().getCloseCode()),
                "sent away, not left as a ghost: " + bob.closeReason());
        // Linked again under a new node id within a second; until then it refuses joins (1013), which a client retries.
        await().atMost(ChatClient.TIMEOUT).until(() -> health(b) == 200);
        JsonObject welcome = joinOn(b, "frozen", "name=bob&since=" + seen + "&epoch=" + epoch).next("welcome");
        assertEquals(List.of(missed), welcome.getJsonArray("history").getValuesAs(JsonObject.class).stream()
                .map(message -> message.getJsonNumber("id").longValue()).toList(), "exactly what it missed");
        assertTrue(!welcome.getString("you").equals("bob"), "one name, one holder: " + welcome.getString("you"));
    }

    @Test
    @Order(5)
    void membersOfANodeKilledWithoutAWordLeaveForTheOthers() {
        ChorusInstance b = otherNode();
        ChatClient alice = join("kill", "alice");
        joinOn(b, "kill", "name=bob").next("welcome");
        joinOn(b, "kill", "name=carol").next("welcome");
        assertEquals("bob", alice.next("join").getString("member"));
        assertEquals("carol", alice.next("join").getString("member"));

        long killedAt = System.nanoTime();
        other.kill();

        JsonObject first = alice.next("leave");
        JsonObject second = alice.next("leave");
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
        assertEquals(List.of("bob", "carol"), List.of(first.getString("member"), second.getString("member")).stream().sorted().toList());
        assertEquals(1, second.getInt("count"), "only alice is left");
        assertTrue(took.compareTo(Duration.ofSeconds(2L * NODE_TTL_SECONDS)) <= 0,
                "gone within two node TTLs, took " + took);
    }

    @Test
    @Order(6)
    void aNodeBootedWithoutRedisIsNotReadyUntilRedisComes() {
        RedisServer late = RedisServer.on(RedisServer.freePort());
        try (PayaraNode booted = PayaraNode.start("cluster-late", Map.of("CHORUS_CLUSTER_REDIS_URI", late.uri()))) {
            ChorusInstance node = booted.instance();
            assertEquals(503, health(node), "deployed, but not ready without its Redis");
            ChatClient refused = connectTo(node, "late", "name=alice");
            assertEquals(CloseCodes.TRY_AGAIN_LATER, refused.closeReason().getCloseCode());

            late.launch();
            await().atMost(Duration.ofSeconds(15)).until(() -> health(node) == 200);
            assertEquals(1, connectTo(node, "late", "name=alice").next("welcome").getInt("count"));
        } finally {
            late.close();
        }
    }
}
