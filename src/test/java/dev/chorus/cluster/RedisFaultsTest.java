package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.Resume;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.RedisServer;
import dev.chorus.testsupport.TcpProxy;
import io.lettuce.core.RedisFuture;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults between the nodes and their Redis (a real {@code redis-server} on a loopback port) while a
 * member talks on one node and another listens on the other: Redis frozen, restarted without or
 * with its append-only file, or the network between one node and Redis cut or silently stalled.
 * Whatever the fault, every message acknowledged to its sender reaches the listener once and in id
 * order, or lies in a gap he is told of; the members of a node that lost Redis are told to
 * reconnect (1012), and the nodes are ready again once Redis is back.
 */
class RedisFaultsTest extends TwoNodesOnRedis {

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

    /** Whose members a fault sends away: both nodes' (both lost Redis), or only the talker's. */
    private enum SentAway { BOTH_NODES, TALKERS_NODE }

    /**
     * What the listener heard through a fault: the numbering he joined, the ids acknowledged to the
     * talker, the ids he got before the fault sent him away (all of them if it did not), the member
     * he resumed as (null if he was not sent away), and the listener himself.
     */
    private record Heard(String epoch, List<Long> acknowledged, List<Long> before, FakePeer resumed, FakePeer listener) {

        /** The gap the resumed member was told of, or null. */
        JsonObject gap() {
            return resumed == null || resumed.events("gap").isEmpty() ? null : ChatFixture.only(resumed, "gap");
        }
    }

    /**
     * Redis frozen (SIGSTOP) past the nodes' TTL, then thawed: the nodes take the link for lost
     * (nothing answered within the TTL, and their keys expired) and send their members to resume.
     */
    @Test
    void redisFrozenPastTheNodesTtlDuringTrafficLosesNoAcknowledgedMessageSilently() {
        talkThrough(a, b, SentAway.BOTH_NODES, () -> {
            redis.freeze();
            try {
                await().pollDelay(Duration.ofSeconds(4)).atMost(WITHIN).until(() -> true);
            } finally {
                redis.thaw();
            }
        });
    }

    /** Redis without persistence restarts empty: the numbering the listener resumes from is gone, and he is told so. */
    @Test
    void redisRestartedWithoutPersistenceDuringTrafficTellsTheResumingListenerTheNumberingIsNew() {
        Heard heard = talkThrough(a, b, SentAway.BOTH_NODES, redis::restart);

        assertNotNull(heard.gap(), "Redis lost the room, yet the resume was not told: " + heard.resumed().events());
        assertTrue(heard.gap().getBoolean("reset"), "a new numbering, said to be new: " + heard.gap());
    }

    /** Redis with an append-only file restarts with the room: the listener resumes in the same numbering. */
    @Test
    void redisRestartedWithItsAppendOnlyFileDuringTrafficLetsTheListenerResumeInTheSameNumbering() {
        try (RedisServer persistent = RedisServer.startPersistent()) {
            Rooms talkers = readyNode(persistent.uri());
            Rooms listeners = readyNode(persistent.uri());

            Heard heard = talkThrough(talkers, listeners, SentAway.BOTH_NODES, persistent::restart);

            assertTrue(heard.gap() == null || !heard.gap().getBoolean("reset"), "Redis kept the room: " + heard.gap());
            assertEquals(heard.epoch(), welcome(heard.resumed()).getString("epoch"), "the same numbering");
        }
    }

    /**
     * The connections between one node and Redis reset, and new ones refused for about a second:
     * that node's members are sent to resume, the other node's miss nothing, and once the cut node
     * is back, a name is held once across the two.
     */
    @Test
    void aNetworkCutBetweenOneNodeAndRedisSendsOnlyItsMembersAwayAndNoNameIsHeldTwice() {
        try (TcpProxy cable = TcpProxy.to(redis.port())) {
            Rooms cutOff = readyNode("redis://127.0.0.1:" + cable.port());

            Heard heard = talkThrough(cutOff, b, SentAway.TALKERS_NODE, () -> {
                cable.cut();
                // Mended once the node tried to link anew and was refused: its tick comes every second.
                await().atMost(WITHIN).until(() -> cable.refused() >= 1);
                cable.mend();
            });

            assertEachNameHeldOnce(cutOff, b);
            assertNothingFromAliceWhileSheWasOut(heard.listener());
        }
    }

    /**
     * The network between one node and Redis silently passes nothing (connections stay open) until
     * the node's key expired and the other node swept it: the hard case, where the node learns of
     * the partition only by Redis's silence. What the node sent into the stall reaches Redis once
     * it mends, and must not reach the room: its sender has left by then.
     */
    @Test
    void aSilentStallBetweenOneNodeAndRedisPastTheNodesTtlSendsOnlyItsMembersAwayAndNoNameIsHeldTwice() {
        try (TcpProxy cable = TcpProxy.to(redis.port())) {
            Rooms stalled = readyNode("redis://127.0.0.1:" + cable.port());
            String life = link(stalled).node();

            Heard heard = talkThrough(stalled, b, SentAway.TALKERS_NODE, () -> {
                cable.stall();
                // Mended once the other node took the stalled one for dead and swept it.
                await().atMost(WITHIN).until(() -> !redis.members(RedisKeys.NODES).contains(life));
                cable.mend();
            });

            assertEachNameHeldOnce(stalled, b);
            assertNothingFromAliceWhileSheWasOut(heard.listener());
        }
    }

    /**
     * The commands' connection of one node held up past the fence's three quarters of the TTL but
     * within the TTL (one blocking pop stands in for a long queue of joins and reads ahead of the
     * renewal): the node's presence is renewed on a connection of its own, so it keeps its life and
     * its members, who talk across the nodes again once the commands flow.
     */
    @Test
    void commandsHeldUpPastTheFenceButWithinTheTtlKeepTheNodesMembers() {
        Pair pair = aliceOnAWithBobOnB();
        FakePeer alice = pair.alice();
        FakePeer bob = pair.bob();
        String life = link(a).node();
        // The fixture's TTL is 2 s: the fence falls at 1.5 s, the command timeout at 3 s.
        RedisFuture<?> held = holdCommands(a, 1.9);
        await().atMost(WITHIN).until(held::isDone);

        assertNull(alice.closedWith(), "alice was sent away while her node's commands were held up");
        assertEquals(life, link(a).node(), "the node kept its life");
        a.publish(pair.sender(), "after the hold");
        await().atMost(WITHIN).until(() -> bob.events("message").stream()
                .anyMatch(message -> message.getString("text").equals("after the hold")));
        assertEquals(0, bob.violations(), "ids in order, none twice");
    }

    /**
     * Redis answering none of a node's messages for a while (its commands' connection held up, as a
     * Redis seconds behind would be): once the node has its bound of messages out, a member with
     * none of hers awaiting an answer is refused at once with {@code unavailable} ("behind"), while
     * one whose earlier messages are still out is not, since the refusal would overtake their acks
     * (the protocol answers a connection's messages in order). Once Redis answers, every message
     * handed over reaches the other node in order, and the refused member may talk again.
     */
    @Test
    void pastTheBoundInFlightAMessageIsRefusedAtOnceUnlessItWouldOvertakeTheSendersAcks() {
        Pair pair = aliceOnAWithBobOnB();
        FakePeer alice = pair.alice();
        FakePeer bob = pair.bob();
        FakePeer carol = FakePeer.inline("carol");
        Member carolOnA = joined(a, carol);
        // Within the 3 s command timeout: nothing times out, the messages only wait.
        RedisFuture<?> held = holdCommands(a, 2.5);
        for (int i = 1; i <= RedisLink.MAX_SAYS_IN_FLIGHT; i++) {
            a.publish(pair.sender(), "m" + i);
        }
        a.publish(carolOnA, "carol's");
        a.publish(pair.sender(), "m" + (RedisLink.MAX_SAYS_IN_FLIGHT + 1));

        assertEquals(1, carol.events("error").size(), "carol, with nothing out, refused");
        JsonObject refused = carol.events("error").get(0);
        assertEquals("unavailable", refused.getString("code"));
        assertTrue(refused.getString("reason").contains("behind"), refused.toString());
        assertFalse(held.isDone(), "refused while Redis was still behind, not after a timeout");
        int sent = RedisLink.MAX_SAYS_IN_FLIGHT + 1;
        await().atMost(WITHIN).until(() -> alice.events("ack").size() == sent);
        await().atMost(WITHIN).until(() -> bob.events("message").size() == sent);
        assertTrue(alice.events("error").isEmpty(), "alice's last message waited behind hers rather than overtake their acks");
        assertEquals(ids(alice.events("ack")), ids(bob.events("message")), "the messages handed over, in order");
        assertEquals(1, link(a).refusedBehind());

        a.publish(carolOnA, "carol again");
        await().atMost(WITHIN).until(() -> carol.events("ack").size() == 1);
        assertEquals(1, carol.events("error").size(), "nothing refused once Redis answered");
    }

    /**
     * The commands' connection of one node held up past the TTL while its presence still renews:
     * Redis answers nothing there, so the node sends its members away (1012) to nodes whose
     * commands flow, rather than failing every message they send, and links again.
     */
    @Test
    void commandsHeldUpPastTheTtlSendTheNodesMembersAwayThoughItsPresenceRenews() {
        FakePeer alice = FakePeer.inline("alice");
        joined(a, alice);
        String life = link(a).node();
        RedisFuture<?> held = holdCommands(a, 6);

        await().atMost(WITHIN).until(() -> alice.closedWith() != null);
        assertEquals(CloseReasons.RECONNECT.getCloseCode(), alice.closedWith().getCloseCode());
        assertTrue(held.isDone(), "sent away only once a command timed out");
        await().atMost(WITHIN).until(() -> a.isReady() && !life.equals(link(a).node()));
    }

    /**
     * The network between one node and Redis silently passes nothing, with nobody talking: the
     * stalled node tells its member to reconnect (1012) before Redis frees her name (the other
     * node sweeping the stalled one) and before the other node announces her leave, so that no
     * moment has two members holding "alice". Each moment is the first poll that saw it, the
     * freed name looked for first in each poll: a tie counts against the stalled node.
     */
    @Test
    void aSilentStallSendsTheStalledNodesMembersAwayBeforeTheOtherNodeFreesTheirNames() {
        try (TcpProxy cable = TcpProxy.to(redis.port())) {
            Rooms stalled = readyNode("redis://127.0.0.1:" + cable.port());
            FakePeer alice = FakePeer.inline("alice");
            FakePeer bob = FakePeer.inline("bob");
            stalled.join(room, "alice", Resume.FRESH, alice);
            b.join(room, "bob", Resume.FRESH, bob);
            welcome(alice);
            welcome(bob);
            AtomicLong freedAt = new AtomicLong();
            AtomicLong announcedAt = new AtomicLong();
            AtomicLong closedAt = new AtomicLong();
            long stalledAt = System.nanoTime();

            cable.stall();
            try {
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).atMost(WITHIN).until(() -> {
                    if (freedAt.get() == 0 && !b.members(room, null, 10).names().contains("alice")) {
                        freedAt.set(System.nanoTime());
                    }
                    if (announcedAt.get() == 0 && bob.events("leave").stream()
                            .anyMatch(leave -> leave.getString("member").equals("alice"))) {
                        announcedAt.set(System.nanoTime());
                    }
                    if (closedAt.get() == 0 && alice.closedWith() != null) {
                        closedAt.set(System.nanoTime());
                    }
                    return freedAt.get() != 0 && announcedAt.get() != 0 && closedAt.get() != 0;
                });
            } finally {
                cable.mend();
            }

            String moments = "after the stall, alice was sent away at " + millis(closedAt.get() - stalledAt)
                    + " ms, her name freed in Redis at " + millis(freedAt.get() - stalledAt)
                    + " ms, her leave announced on the other node at " + millis(announcedAt.get() - stalledAt) + " ms";
            assertEquals(CloseReasons.RECONNECT.getCloseCode(), alice.closedWith().getCloseCode(), moments);
            assertTrue(closedAt.get() - freedAt.get() < 0, "her name was held twice: " + moments);
            assertTrue(closedAt.get() - announcedAt.get() < 0, "her name was held twice: " + moments);
        }
    }

    /** Alice on node a, as {@code sender}, and bob on node b, both welcomed to the test's room. */
    private record Pair(FakePeer alice, FakePeer bob, Member sender) { }

    private Pair aliceOnAWithBobOnB() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member sender = joined(a, alice);
        joined(b, bob);
        return new Pair(alice, bob, sender);
    }

    /**
     * Holds up the node's commands' connection for the seconds, as a long queue of commands ahead
     * would: a blocking pop of a list nobody fills. Done once Redis answers it.
     */
    private RedisFuture<?> holdCommands(Rooms node, double seconds) {
        return link(node).connections().async().blpop(seconds, "held:" + room);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * Alice talks on one node while bob listens on the other, through the fault. Then alice is told
     * to reconnect (1012), as bob is if the fault sent both away, both nodes are ready again, bob
     * resumes where he stood if he was sent away, and every message acknowledged to alice reached
     * him once, in id order, or lies in a gap he was told of.
     */
    private Heard talkThrough(Rooms talkers, Rooms listeners, SentAway sentAway, Runnable fault) {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member sender = talkers.join(room, "alice", Resume.FRESH, alice);
        listeners.join(room, "bob", Resume.FRESH, bob);
        String epoch = welcome(bob).getString("epoch");
        AtomicBoolean stop = new AtomicBoolean();
        // Texts without a colon: a send refused while the link is down leaves a hole in the
        // sender's own count, which the peers' per-sender check would take for a reordering.
        Thread talker = new Thread(() -> {
            for (int i = 0; i < 5_000 && !stop.get() && alice.closedWith() == null; i++) {
                try {
                    talkers.publish(sender, "m" + i);
                } catch (RuntimeException refused) {
                    // The link is down: the member is being sent away.
                }
                LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            }
        });
        talker.start();
        await().atMost(WITHIN).until(() -> bob.events("message").size() >= 20);

        fault.run();
        await().atMost(WITHIN).until(() -> alice.closedWith() != null);
        stop.set(true);
        await().atMost(WITHIN).until(() -> !talker.isAlive());
        assertEquals(CloseReasons.RECONNECT.getCloseCode(), alice.closedWith().getCloseCode());
        await().atMost(WITHIN).until(() -> talkers.isReady() && listeners.isReady());
        List<Long> acknowledged = ids(alice.events("ack"));

        Heard heard;
        if (sentAway == SentAway.BOTH_NODES) {
            await().atMost(WITHIN).until(() -> bob.closedWith() != null);
            assertEquals(CloseReasons.RECONNECT.getCloseCode(), bob.closedWith().getCloseCode());
            List<Long> before = ids(bob.events("message"));
            FakePeer back = FakePeer.inline("bob");
            listeners.join(room, "bob", Resume.after(before.get(before.size() - 1), epoch), back);
            welcome(back);
            heard = new Heard(epoch, acknowledged, before, back, bob);
        } else {
            long newest = acknowledged.isEmpty() ? 0 : acknowledged.get(acknowledged.size() - 1);
            await().atMost(WITHIN).until(() -> ids(bob.events("message")).contains(newest) || bob.closedWith() != null);
            assertNull(bob.closedWith(), "the node that kept Redis keeps its members");
            heard = new Heard(epoch, acknowledged, ids(bob.events("message")), null, bob);
        }
        assertNoAcknowledgedMessageLostSilently(heard);
        assertEquals(0, bob.violations() + (heard.resumed() == null ? 0 : heard.resumed().violations()),
                "ids in order, none twice");
        return heard;
    }

    /**
     * Every id acknowledged to the talker is one the listener got before the fault or in his
     * resumed welcome, or lies in the gap he was told of: past where he stood and below where the
     * gap ends, or anywhere past it if the numbering is new.
     */
    private static void assertNoAcknowledgedMessageLostSilently(Heard heard) {
        List<Long> before = heard.before();
        long last = before.isEmpty() ? 0 : before.get(before.size() - 1);
        JsonObject gap = heard.gap();
        boolean reset = gap != null && gap.getBoolean("reset");
        List<Long> after = heard.resumed() == null || reset ? List.of() : historyIds(welcome(heard.resumed()));
        long resumesAt = gap == null ? last + 1 : gap.getInt("until");
        assertTrue(after.isEmpty() || after.get(0) == resumesAt, "resumed exactly where it stood or past a gap: " + after);
        Set<Long> heardIds = new HashSet<>(before);
        heardIds.addAll(after);
        for (long id : heard.acknowledged()) {
            boolean inGap = id > last && (reset || id < resumesAt);
            assertTrue(heardIds.contains(id) || inGap,
                    "message " + id + " was acknowledged, but bob neither got it nor was told of a gap");
        }
    }

    /**
     * Alice, sent away from the node that lost Redis, is seated there again once her old life's
     * name is swept; an "alice" joining on the other node then gets a name of her own, as ever.
     */
    private void assertEachNameHeldOnce(Rooms lost, Rooms other) {
        await().atMost(WITHIN).until(() -> !other.members(room, null, 10).names().contains("alice"));
        Member back = lost.join(room, "alice", Resume.FRESH, FakePeer.inline("alice"));
        Member another = other.join(room, "alice", Resume.FRESH, FakePeer.inline("alice"));

        assertEquals("alice", back.name());
        assertEquals("alice#2", another.name(), "a name held on the other node is taken");
        assertEquals(List.of("alice", "alice#2", "bob"), other.members(room, null, 10).names());
    }

    /**
     * The listener heard no message from alice between the leave that took her out (her node
     * swept) and her return: what her old connection sent into a stall must not reach the room
     * once it mends, under a name she no longer holds, which another member may hold by then.
     */
    private static void assertNothingFromAliceWhileSheWasOut(FakePeer listener) {
        boolean out = false;
        boolean left = false;
        List<Long> whileOut = new ArrayList<>();
        for (JsonObject event : listener.events()) {
            String type = event.getString("type");
            if (type.equals("leave") && event.getString("member").equals("alice")) {
                out = true;
                left = true;
            } else if (type.equals("join") && event.getString("member").equals("alice")) {
                out = false;
            } else if (out && type.equals("message") && event.getString("from").equals("alice")) {
                whileOut.add(event.getJsonNumber("id").longValue());
            }
        }
        assertTrue(left, "the listener saw alice's old life leave");
        assertTrue(whileOut.isEmpty(), whileOut.size() + " messages from alice after she left, before she came back: ids "
                + whileOut.subList(0, Math.min(5, whileOut.size())) + "...");
    }
}
