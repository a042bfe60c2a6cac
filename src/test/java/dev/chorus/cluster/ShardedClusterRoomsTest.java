package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.protocol.Resume;
import dev.chorus.room.Member;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.RedisCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RoomsAcrossNodes} on a real Redis Cluster of three shards, the nodes given the URI of one
 * of them only: each room's keys, script and shard channel live on the shard of its hash tag, so
 * a node must send each room's commands and subscription there.
 */
class ShardedClusterRoomsTest extends RoomsAcrossNodes {

    private static RedisCluster redis;

    @BeforeAll
    static void startRedisCluster() {
        redis = RedisCluster.start();
    }

    @AfterAll
    static void stopRedisCluster() {
        redis.close();
    }

    @Override
    String redisUri() {
        return redis.uri();
    }

    @Test
    void roomsOnEveryShardCarryTheirConversationsAtOnceEachKeptOnItsShard() {
        Map<Integer, String> roomOnShard = new HashMap<>();
        for (int i = 0; roomOnShard.size() < 3 && i < 1000; i++) {
            String name = room + "-" + i;
            roomOnShard.putIfAbsent(redis.shardOf("chorus:{" + name + "}:live"), name);
        }
        assertEquals(3, roomOnShard.size(), "rooms found on every shard: " + roomOnShard);
        List<String> rooms = List.copyOf(roomOnShard.values());
        List<Member> senders = new ArrayList<>();
        List<FakePeer> listeners = new ArrayList<>();
        for (String each : rooms) {
            senders.add(a.join(each, "alice", Resume.FRESH, FakePeer.inline("alice")));
            FakePeer bob = FakePeer.inline("bob");
            listeners.add(bob);
            b.join(each, "bob", Resume.FRESH, bob);
            welcome(bob);
        }

        for (int i = 1; i <= 50; i++) {
            for (Member sender : senders) {
                a.publish(sender, "alice:" + i);
            }
        }

        for (int r = 0; r < rooms.size(); r++) {
            FakePeer bob = listeners.get(r);
            await().atMost(WITHIN).until(() -> bob.events("message").size() == 50);
            assertEquals(ids(1, 50), ids(bob.events("message")),
                    "room " + rooms.get(r) + ": one numbering, contiguous, across nodes");
            assertEquals(0, bob.violations());
        }
        roomOnShard.forEach((shard, name) -> {
            List<Integer> keys = redis.keysPerShard("chorus:{" + name + "}*");
            for (int s = 0; s < keys.size(); s++) {
                assertEquals(s == shard ? 4 : 0, keys.get(s), "room " + name + "'s state, log, names and owners,"
                        + " all on shard " + shard + ": " + keys);
            }
        });
    }
}
