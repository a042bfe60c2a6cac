package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.protocol.Resume;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Two registries, as two nodes, linked to one real Redis (a server or a Redis Cluster), and a
 * room named after each test: the fixture of the tests of rooms that span nodes. Each test uses
 * rooms of its own, so Redis is shared across a class's tests.
 */
abstract class TwoNodesOnRedis {

    static final Duration WITHIN = Duration.ofSeconds(10);

    final List<Rooms> nodes = new ArrayList<>();
    final ChatMetrics metrics = new ChatMetrics();
    String room;
    Rooms a;
    Rooms b;

    /** The Redis every node of the test links to. */
    abstract String redisUri();

    @AfterEach
    void unlinkNodes() {
        nodes.forEach(Rooms::unlink);
    }

    Rooms node(String redisUri) {
        return node(redisUri, ChatSettings.DEFAULTS.cluster().emptyRoomTtlSeconds());
    }

    Rooms node(String redisUri, int emptyRoomTtlSeconds) {
        return node(new ChatSettings.Cluster(redisUri, 2, emptyRoomTtlSeconds));
    }

    Rooms node(ChatSettings.Cluster cluster) {
        ChatSettings settings = Settings.defaultsWith(cluster,
                new ChatSettings.History(10, 10, 262144, 67108864));
        Rooms node = new Rooms(settings, metrics, Clocks.SYSTEM, new SequenceChoice(settings, Clocks.SYSTEM));
        nodes.add(node);
        return node;
    }

    /** The node's link to Redis. */
    static RedisLink link(Rooms node) {
        return ((RedisSequence) node.sequence()).link();
    }

    Rooms readyNode() {
        return readyNode(redisUri());
    }

    /** A node linked to the Redis at the URI, once it is ready. */
    Rooms readyNode(String redisUri) {
        Rooms node = node(redisUri);
        await().atMost(WITHIN).until(node::isReady);
        return node;
    }

    /** Two linked nodes, and a room named after the test. */
    @BeforeEach
    void linkTwoNodes(TestInfo test) {
        room = test.getTestMethod().orElseThrow().getName();
        a = readyNode();
        b = readyNode();
    }

    /** The peer joins the test's room on the node under its own name; its member once welcomed. */
    Member joined(Rooms node, FakePeer peer) {
        Member member = node.join(room, peer.name(), Resume.FRESH, peer);
        welcome(peer);
        return member;
    }

    static JsonObject welcome(FakePeer peer) {
        await().atMost(WITHIN).until(() -> !peer.events("welcome").isEmpty());
        return peer.events("welcome").get(0);
    }

    /** Alice joins on the node and says alice:1 to alice:n, each acknowledged; returns her welcome's epoch. */
    String talk(Rooms node, FakePeer alice, int messages) {
        Member sender = node.join(room, "alice", Resume.FRESH, alice);
        String epoch = welcome(alice).getString("epoch");
        for (int i = 1; i <= messages; i++) {
            node.publish(sender, "alice:" + i);
        }
        await().atMost(WITHIN).until(() -> alice.events("ack").size() == messages);
        return epoch;
    }

    static List<Long> historyIds(JsonObject welcome) {
        return ChatFixture.historyIds(welcome).stream().map(Integer::longValue).toList();
    }

    /** The ids of numbered events (messages, acks), in the order they came. */
    static List<Long> ids(List<JsonObject> numbered) {
        return numbered.stream().map(event -> event.getJsonNumber("id").longValue()).toList();
    }

    static List<Long> ids(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
