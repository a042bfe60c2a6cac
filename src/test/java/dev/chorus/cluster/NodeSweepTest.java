package dev.chorus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.RedisServer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep of a dead node on a real {@code redis-server}: its members leave every room, each
 * leave announced once, without a round trip per name (a dead node of 16,000 members in one room
 * was 16,000 script calls from every live node at once, which kept Redis and the nodes too busy to
 * renew their own presence), and a dead node another live node is sweeping is left to it.
 */
class NodeSweepTest {

    private static final String ROOM = "sweep-hall";
    private static final RoomScript SCRIPT = new RoomScript(10_000, 60_000);

    private static RedisServer redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;
    private static String sha;
    private RedisCommands<String, String> sync;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        client = RedisClient.create(redis.uri());
        connection = client.connect();
        sha = connection.sync().scriptLoad(RoomScript.TEXT);
    }

    @AfterAll
    static void stopRedis() {
        connection.close();
        client.shutdown();
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        sync = connection.sync();
        sync.flushall();
        sync.set(RedisKeys.node("alive"), "up", SetArgs.Builder.px(60_000));
        sync.sadd(RedisKeys.NODES, "alive", "dead");
        sync.sadd(RedisKeys.nodeRooms("dead"), ROOM);
        for (int i = 0; i < 1_200; i++) {
            join("d" + i, "dead");
        }
        for (int i = 0; i < 300; i++) {
            join("a" + i, "alive");
        }
    }

    @Test
    void aDeadNodesMembersLeaveEachOnceWithAScriptCallPerPageOfNamesNotPerName() {
        long callsBefore = scriptCalls();

        sweep().sweepDeadBesides("alive", System.nanoTime() + TimeUnit.SECONDS.toNanos(10));

        long calls = scriptCalls() - callsBefore;
        assertEquals(300, sync.zcard(RedisKeys.room(ROOM)[2]), "the live node's members stay");
        assertEquals(1_200, leaves(), "each of the dead node's members left once, announced in the log");
        // A page is a hint to HSCAN, not a bound: a handful of calls, where a call per name made 1,201.
        assertTrue(calls < 20, "script calls to sweep 1,200 names among 1,500 by pages of " + NodeSweep.PAGE + ": " + calls);
        assertEquals(0, sync.sismember(RedisKeys.NODES, "dead") ? 1 : 0, "the dead node is forgotten");
    }

    @Test
    void aDeadNodeAnotherLiveNodeIsSweepingIsLeftToItUntilItsClaimLapses() {
        sync.set(RedisKeys.nodeSweeper("dead"), "other", SetArgs.Builder.px(60_000));
        NodeSweep sweep = sweep();

        sweep.sweepDeadBesides("alive", System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        assertEquals(1_500, sync.zcard(RedisKeys.room(ROOM)[2]), "left to the node that claimed the sweep");

        // The claim lapses (its sweeper died), as its expiry would have it.
        sync.del(RedisKeys.nodeSweeper("dead"));
        sweep.sweepDeadBesides("alive", System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        assertEquals(300, sync.zcard(RedisKeys.room(ROOM)[2]), "swept once the claim lapsed");
        assertEquals(1_200, leaves());
    }

    @Test
    void aDeadNodesMembersLeaveEveryRoomItWasInThoughItWasInMoreThanOneWindowOfRooms() {
        int rooms = NodeSweep.WINDOW * 2 + 10;
        for (int r = 0; r < rooms; r++) {
            sync.sadd(RedisKeys.nodeRooms("dead"), "small-" + r);
            for (int i = 0; i < 3; i++) {
                join("small-" + r, "d" + i, "dead");
            }
            join("small-" + r, "a0", "alive");
        }

        sweep().sweepDeadBesides("alive", System.nanoTime() + TimeUnit.SECONDS.toNanos(10));

        for (int r = 0; r < rooms; r++) {
            assertEquals(1, sync.zcard(RedisKeys.room("small-" + r)[2]), "small-" + r + " keeps only the live node's member");
            assertEquals(3, leaves("small-" + r), "small-" + r + ": each of the dead node's members left once");
        }
        assertEquals(1_200, leaves());
    }

    private NodeSweep sweep() {
        return new NodeSweep(sync, connection.async(), sha, SCRIPT);
    }

    private void join(String name, String node) {
        join(ROOM, name, node);
    }

    private void join(String room, String name, String node) {
        sync.evalsha(sha, ScriptOutputType.MULTI, RedisKeys.room(room), SCRIPT.argv("join", name, node, "1"));
    }

    private long leaves() {
        return leaves(ROOM);
    }

    private long leaves(String room) {
        return sync.xrange(RedisKeys.log(room), Range.create("-", "+")).stream()
                .map(StreamMessage::getBody).filter(body -> "l".equals(body.get("t"))).count();
    }

    private long scriptCalls() {
        for (String line : sync.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:calls=")) {
                return Long.parseLong(line.substring("cmdstat_evalsha:calls=".length(), line.indexOf(',')));
            }
        }
        return 0;
    }
}
