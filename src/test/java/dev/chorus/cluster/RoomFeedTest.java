package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.room.UserCall;
import dev.chorus.testsupport.RedisServer;
import dev.chorus.testsupport.TcpProxy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import jakarta.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The feed on a real {@code redis-server} reached through a proxy that can stall: a subscription
 * or a read of a room's log that Redis answers too late fails, and while the link stays (a slow
 * Redis is not a lost one) the next tidy subscribes or reads again, so the room's entries still
 * arrive. Under a join wave on a starved node these timeouts came by the dozen; each used to end the
 * node's link and send every member on it away.
 */
class RoomFeedTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    private static final Duration WITHIN = Duration.ofSeconds(10);

    private static RedisServer redis;
    private static ClientResources resources;
    private static RedisClient direct;
    private static StatefulRedisConnection<String, String> writer;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        direct = RedisClient.create(resources, RedisURI.create(redis.uri()));
        writer = direct.connect();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        writer.close();
        direct.shutdown();
        resources.shutdown(0, 2, TimeUnit.SECONDS).get();
        redis.close();
    }

    /** One followed room standing at a log position, applying what follows it. */
    private static final class OneRoom implements RoomLogListener {
        final String name;
        volatile String position = "0-0";
        final List<RoomEntry> applied = new CopyOnWriteArrayList<>();
        /** Runs when a pushed entry does not follow the position, before the feed reads the log. */
        volatile Runnable notFollowing = () -> { };

        OneRoom(String name) {
            this.name = name;
        }

        @Override
        public Set<String> followed() {
            return Set.of(name);
        }

        @Override
        public String position(String room) {
            return room.equals(name) ? position : null;
        }

        @Override
        public boolean relayed(String room, List<RoomEntry> entries) {
            for (RoomEntry entry : entries) {
                if (!entry.isAfter(position)) {
                    continue;
                }
                if (!entry.follows(position)) {
                    notFollowing.run();
                    return false;
                }
                applied.add(entry);
                position = entry.at();
            }
            return true;
        }

        @Override
        public void addressed(UserCall call) {
            // No user calls here.
        }

        @Override
        public void lost() {
            // The test's link never drops.
        }
    }

    @Test
    void aSubscriptionRedisAnsweredTooLateIsMadeAgainAtTheNextTidyAndTheRoomIsRead() {
        OneRoom room = new OneRoom("feed-late-subscription");
        RoomFeed feed = new RoomFeed(room);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (TcpProxy cable = TcpProxy.to(redis.port()); RedisConnections connections = open(cable)) {
            cable.stall();
            feed.attach(connections, failures::add);
            // Both subscriptions (calls to users, the room) time out.
            await().atMost(WITHIN).until(() -> failures.size() >= 2);
            // Pushed while the node's subscription still waits in the stall: no push brings it, only a read.
            append(room.name, "said while the node could not hear", "0-0");
            cable.mend();

            feed.tidy();

            await().atMost(WITHIN).until(() -> room.applied.size() == 1);
            assertEquals("said while the node could not hear", room.applied.get(0).text());
            assertTrue(failures.stream().allMatch(RedisLink::timedOut), "only timeouts: " + failures);
        }
    }

    @Test
    void aLogReadRedisAnsweredTooLateIsMadeAgainAtTheNextTidy() {
        OneRoom room = new OneRoom("feed-late-read");
        RoomFeed feed = new RoomFeed(room);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (TcpProxy cable = TcpProxy.to(redis.port()); RedisConnections connections = open(cable)) {
            feed.attach(connections, failures::add);
            // Subscribed, and the (empty) log read once from the room's position.
            await().atMost(WITHIN).until(() -> feed.reads() >= 1);
            AtomicBoolean stalled = new AtomicBoolean();
            room.notFollowing = () -> {
                if (stalled.compareAndSet(false, true)) {
                    cable.stall();
                }
            };
            // A push whose entry before it the room never saw: the feed reads the log, into the stall.
            append(room.name, "after an entry this node missed", "1-0");
            await().atMost(WITHIN).until(() -> !failures.isEmpty());
            cable.mend();

            feed.tidy();

            await().atMost(WITHIN).until(() -> room.applied.size() == 1);
            assertEquals("after an entry this node missed", room.applied.get(0).text());
            assertTrue(failures.stream().allMatch(RedisLink::timedOut), "only timeouts: " + failures);
        }
    }

    private static RedisConnections open(TcpProxy cable) {
        return RedisConnections.open(resources, RedisURI.create("redis://127.0.0.1:" + cable.port()), COMMAND_TIMEOUT, () -> { });
    }

    /** Appends a message to the room's log and pushes it, as the room script does, saying which entry came before it. */
    private static void append(String room, String text, String before) {
        Map<String, String> fields = Map.of("t", "m", "e", "testepoch", "n", "1", "f", "alice", "x", text,
                "ts", Long.toString(System.currentTimeMillis()), "o", "node-a");
        String at = writer.sync().xadd(RedisKeys.log(room), fields);
        var push = Json.createObjectBuilder().add("at", at).add("p", before);
        fields.forEach(push::add);
        writer.sync().spublish(RedisKeys.live(room), push.build().toString());
    }
}
