package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusClients;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.PayaraNode;
import dev.chorus.testsupport.RedisCluster;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a real Redis Cluster of three shards: the server under test (Payara Micro, or
 * WildFly in the {@code wildfly} profile) and a Payara Micro this test starts, each given the
 * address of a different shard only. What the WAR bundles must find the rest of the cluster.
 */
class ShardedClusterIT extends ChorusClients {

    private static RedisCluster redis;
    private static PayaraNode other;

    @Deployment(testable = false)
    public static WebArchive sharded() {
        redis = RedisCluster.start();
        return DeployedChorus.builtWarConfigured("sharded.war", "chorus.cluster.redis-uri=" + redis.uri(0));
    }

    @AfterAll
    static void stopNodeAndRedis() throws Exception {
        stopAll(other, redis);
    }

    @Test
    void roomsOnEveryShardAreOneConversationAcrossNodes() {
        other = PayaraNode.start("sharded-b", Map.of("CHORUS_CLUSTER_REDIS_URI", redis.uri(1)));
        for (ChorusInstance node : List.of(chorus(), other.instance())) {
            // get() asserts a 200: the node is linked to the cluster.
            await().atMost(ChatClient.TIMEOUT).untilAsserted(() -> node.get("api/health"));
        }
        for (String room : redis.roomOnEachShard("shard-")) {
            ChatClient alice = join(room, "alice");
            ChatClient bob = connectTo(other.instance(), room, "name=bob");
            assertEquals(2, bob.next("welcome").getInt("count"), room + ": bob's welcome counts alice, on the other node");
            for (int i = 1; i <= 20; i++) {
                alice.send("alice:" + i);
            }
            List<Long> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            while (ids.size() < 20) {
                JsonObject event = bob.nextEvent();
                if (event.getString("type").equals("message")) {
                    ids.add(event.getJsonNumber("id").longValue());
                    texts.add(event.getString("text"));
                }
            }
            assertEquals(LongStream.rangeClosed(1, 20).boxed().toList(), ids, room + ": one numbering, contiguous");
            assertEquals(LongStream.rangeClosed(1, 20).mapToObj(i -> "alice:" + i).toList(), texts, room + ": in order");
        }
    }
}
