package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.Resume;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import dev.chorus.room.Sequence;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RoomsAcrossNodes} on one real Redis server (Debian's {@code redis-server} on a loopback
 * port), and what happens when that server restarts, keeps an append-only file, comes late, or
 * forgets an empty room. Faults during traffic are {@link RedisFaultsTest}'s.
 */
class ClusterRoomsTest extends RoomsAcrossNodes {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    String redisUri() {
        return redis.uri();
    }

    @Test
    void aNodeTakenForDeadWhileAliveNoticesAndItsMembersResumeUnderANewNodeId() {
        FakePeer alice = FakePeer.inline("alice");
        joined(a, alice);
        String taken = link(a).node();

        // What a pause longer than the key's life leaves in Redis: the key gone, and another node's
        // sweep having struck the node off the list (and taken its members out).
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> redisCli = client.connect()) {
            redisCli.sync().del(RedisKeys.node(taken));
            redisCli.sync().srem(RedisKeys.NODES, taken);
        } finally {
            client.shutdown();
        }

        await().atMost(WITHIN).until(() -> alice.closedWith() != null);
        assertEquals(1012, alice.closedWith().getCloseCode().getCode(), "told to reconnect and resume, not left to chat as a ghost");
        await().atMost(WITHIN).until(() -> a.isReady() && !taken.equals(link(a).node()));
    }

    /**
     * A leave Redis does not take (here its script cache was flushed, so the script is unknown to it)
     * is tried once more a second later; when that fails too, the node drops its link and relinks under
     * a new node id, so the name is swept with the old one instead of being held while the node lives on.
     */
    @Test
    void aLeaveRedisDoesNotTakeIsTriedAgainAndThenTheNameIsSweptNotHeldForGood() throws Exception {
        FakePeer bob = FakePeer.inline("bob");
        Member leaving = a.join(room, "alice", Resume.FRESH, FakePeer.inline("alice"));
        joined(b, bob);
        String before = link(a).node();

        RedisServer.command(redis.port(), "SCRIPT FLUSH");
        a.leave(leaving);

        await().atMost(WITHIN).until(() -> !bob.events("leave").isEmpty());
        assertEquals("alice", bob.events("leave").get(0).getString("member"));
        // Linking anew loads the script again, for both nodes: it is one script cache.
        await().atMost(WITHIN).until(() -> a.isReady() && !before.equals(link(a).node()));
        FakePeer again = FakePeer.inline("alice");
        b.join(room, "alice", Resume.FRESH, again);
        assertEquals("alice", welcome(again).getString("you"), "the name is free again");
    }

    @Test
    void whenRedisRestartsMembersAreToldToReconnectAndResumeAgainstTheNewNumbering() {
        FakePeer alice = FakePeer.inline("alice");
        String epoch = talk(a, alice, 1);

        restart(redis, a, alice);

        FakePeer back = FakePeer.inline("alice");
        a.join(room, "alice", Resume.after(1, epoch), back);
        JsonObject gap = ChatFixture.only(back, "gap");
        assertTrue(gap.getBoolean("reset"), "Redis lost the room (no persistence): the numbering is new, and said so");
        assertTrue(link(a).reconnects() >= 1);
    }

    @Test
    void withAnAppendOnlyRedisAClientResumesExactlyAcrossARedisRestart() {
        RedisServer persistent = RedisServer.startPersistent();
        try {
            Rooms node = node(persistent.uri());
            await().atMost(WITHIN).until(node::isReady);
            FakePeer alice = FakePeer.inline("alice");
            String epoch = talk(node, alice, 5);

            restart(persistent, node, alice);

            FakePeer back = FakePeer.inline("alice");
            Member again = node.join(room, "alice", Resume.after(3, epoch), back);
            JsonObject welcome = welcome(back);
            assertTrue(back.events("gap").isEmpty(), "Redis kept the room: no gap, " + back.events());
            assertEquals(epoch, welcome.getString("epoch"), "the same numbering");
            assertEquals(ids(4, 5), historyIds(welcome), "exactly what it missed, nothing twice");
            node.publish(again, "alice:6");
            await().atMost(WITHIN).until(() -> back.events("ack").size() == 1);
            assertEquals(6, back.events("ack").get(0).getInt("id"), "numbering goes on where it was");
        } finally {
            persistent.close();
        }
    }

    @Test
    void aNodeWithoutRedisRefusesJoinsAndIsNotReadyUntilRedisComes() {
        RedisServer late = RedisServer.on(RedisServer.freePort());
        try {
            Rooms alone = node(late.uri());
            assertFalse(alone.isReady());
            assertThrows(Sequence.Unavailable.class,
                    () -> alone.join(room, "alice", Resume.FRESH, FakePeer.inline("alice")));
            assertEquals(0, alone.members());

            late.launch();
            await().atMost(WITHIN).until(alone::isReady);
            FakePeer alice = FakePeer.inline("alice");
            alone.join(room, "alice", Resume.FRESH, alice);
            assertEquals(1, welcome(alice).getInt("count"));
        } finally {
            late.close();
        }
    }

    @Test
    void aRoomNobodyIsInIsForgottenByRedisAfterItsTimeAndKeptWhileAnyoneIsIn() {
        Rooms shortLived = node(redis.uri(), 1);
        await().atMost(WITHIN).until(shortLived::isReady);
        String keys = "chorus:{" + room + "}*";
        FakePeer alice = FakePeer.inline("alice");
        Member sender = shortLived.join(room, "alice", Resume.FRESH, alice);
        String epoch = welcome(alice).getString("epoch");
        shortLived.publish(sender, "alice:1");
        await().atMost(WITHIN).until(() -> alice.events("ack").size() == 1);
        Member bob = shortLived.join(room, "bob", Resume.FRESH, FakePeer.inline("bob"));
        shortLived.leave(sender);

        await().during(Duration.ofMillis(1500)).atMost(WITHIN).until(() -> redis.keys(keys) > 0);
        shortLived.leave(bob);
        await().atMost(WITHIN).until(() -> redis.keys(keys) == 0);

        FakePeer back = FakePeer.inline("alice");
        shortLived.join(room, "alice", Resume.after(1, epoch), back);
        assertTrue(ChatFixture.only(back, "gap").getBoolean("reset"), "the numbering Redis forgot is said to be new");
        await().during(Duration.ofMillis(1500)).atMost(WITHIN).until(() -> redis.keys(keys) > 0);
    }

    /**
     * A room's last member here leaving strikes the room off the node's list in Redis, while rooms
     * with members stay on it: the list, and a sweep of the node once it dies, does not grow with
     * every room the node ever held.
     */
    @Test
    void aRoomLeftByItsLastMemberHereIsStruckOffTheNodesList() {
        Member visitor = a.join(room + "-visited", "alice", Resume.FRESH, FakePeer.inline("alice"));
        a.join(room, "bob", Resume.FRESH, FakePeer.inline("bob"));
        String rooms = RedisKeys.nodeRooms(link(a).node());
        assertEquals(2, redis.members(rooms).size());

        a.leave(visitor);

        await().atMost(WITHIN).until(() -> redis.members(rooms).equals(List.of(room)));
    }

    /**
     * Redis that answers nothing for longer than a command may wait, but less than the node's TTL:
     * the sender hears that its message may still arrive, nobody is sent away, the node keeps its
     * node id, and the message, which Redis took once it could, reaches the room.
     */
    @Test
    void aRedisTooSlowForOneCommandKeepsTheLinkAndItsMembers() {
        Rooms patient = node(new ChatSettings.Cluster(redis.uri(), 30, 60));
        await().atMost(WITHIN).until(patient::isReady);
        String node = link(patient).node();
        FakePeer alice = FakePeer.inline("alice");
        Member sender = joined(patient, alice);

        redis.pauseClients(Duration.ofMillis(4500));
        patient.publish(sender, "while Redis is stuck");
        await().atMost(WITHIN).until(() -> !alice.events("error").isEmpty());
        JsonObject refused = alice.events("error").get(0);
        assertEquals("unavailable", refused.getString("code"));
        assertTrue(refused.getString("reason").contains("may still reach the room"), refused.toString());

        await().atMost(WITHIN).until(() -> alice.events("ack").size() == 1);
        assertEquals(null, alice.closedWith(), "not told to reconnect for one slow command");
        assertEquals(node, link(patient).node(), "the same life of the link");
        assertTrue(link(patient).timeouts() >= 1);
        patient.publish(sender, "after");
        await().atMost(WITHIN).until(() -> alice.events("ack").size() == 2);
    }

    /**
     * A join wave on two nodes at once (the same names on both, as load generators give): every
     * member stays, and following the room costs each node one read of its log when it starts
     * following, not one per push that raced it, nor one per append (Redis's own call counts).
     */
    @Test
    void aJoinWaveOnTwoNodesKeepsEveryMemberAndReadsTheLogOnlyWhenANodeStartsFollowing() throws Exception {
        int threadsPerNode = 4;
        int joinsPerThread = 60;
        redis.resetStats();
        List<FakePeer> joined = new CopyOnWriteArrayList<>();
        ExecutorService wave = Executors.newFixedThreadPool(2 * threadsPerNode);
        try {
            for (Rooms node : List.of(a, b)) {
                for (int t = 0; t < threadsPerNode; t++) {
                    int first = t * joinsPerThread;
                    wave.execute(() -> {
                        for (int i = first; i < first + joinsPerThread; i++) {
                            FakePeer peer = FakePeer.inline("c" + i);
                            node.join(room, "c" + i, Resume.FRESH, peer);
                            joined.add(peer);
                        }
                    });
                }
            }
        } finally {
            wave.shutdown();
        }
        assertTrue(wave.awaitTermination(60, TimeUnit.SECONDS), "the wave ended");
        int everyone = 2 * threadsPerNode * joinsPerThread;
        assertEquals(everyone, joined.size(), "every join was taken");

        FakePeer last = FakePeer.inline("last");
        b.join(room, "last", Resume.FRESH, last);
        assertEquals(everyone + 1, welcome(last).getInt("count"), "presence counts every member once");
        assertTrue(joined.stream().allMatch(peer -> peer.closedWith() == null), "no member was told to go");
        assertEquals(everyone + 1, a.members() + b.members());
        // Each node reads the log once when it starts following (the catch-up after its backlog);
        // one more each is allowed for a push lost in between. The backlog is read once per node
        // by the joins that find the room new there at once (one more each for a join that came
        // between that read and the room's settling), and once by the first append, which finds
        // no last position yet; joins into a room a node follows read nothing.
        long catchUps = redis.calls("xrange");
        long backlogs = redis.calls("xrevrange");
        assertTrue(catchUps <= 4, "log reads by catch-up: " + catchUps);
        assertTrue(backlogs <= 5, "log reads by backlog or append: " + backlogs);
    }

    /** Restarts Redis under the node: its member is told to reconnect (1012), and the node is ready again. */
    private static void restart(RedisServer server, Rooms node, FakePeer member) {
        server.restart();
        await().atMost(WITHIN).until(() -> member.closedWith() != null);
        assertEquals(CloseReasons.RECONNECT.getCloseCode(), member.closedWith().getCloseCode());
        await().atMost(WITHIN).until(node::isReady);
    }
}
