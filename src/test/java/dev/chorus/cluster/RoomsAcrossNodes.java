package dev.chorus.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.Resume;
import dev.chorus.room.Member;
import dev.chorus.room.Published;
import dev.chorus.room.Rooms;
import dev.chorus.room.UserCall;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * What members on different nodes of one room see, whether Redis is one server
 * ({@link ClusterRoomsTest}) or a Redis Cluster ({@link ShardedClusterRoomsTest}).
 */
abstract class RoomsAcrossNodes extends TwoNodesOnRedis {

    @Test
    void messagesReachMembersOnTheOtherNodeInOneOrderWithContiguousIds() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        FakePeer carol = FakePeer.inline("carol");
        Member onA = a.join(room, "alice", Resume.FRESH, alice);
        Member onB = b.join(room, "bob", Resume.FRESH, bob);
        a.join(room, "carol", Resume.FRESH, carol);
        welcome(bob);

        for (int i = 1; i <= 100; i++) {
            a.publish(onA, "alice:" + i);
            b.publish(onB, "bob:" + i);
        }

        await().atMost(WITHIN).until(() -> carol.events("message").size() == 200);
        await().atMost(WITHIN).until(() -> bob.messagesAndAcks() == 200 && alice.messagesAndAcks() == 200);
        List<Long> seenByCarol = ids(carol.events("message"));
        assertEquals(ids(1, 200), seenByCarol, "one numbering, contiguous, in order");
        // FakePeer checks on every event that ids rise by one and each sender's texts come in order.
        for (FakePeer peer : List.of(alice, bob, carol)) {
            assertEquals(0, peer.violations(), peer + " saw ids or a sender's messages out of order");
        }
        assertEquals(100, alice.events("ack").size(), "the sender gets an ack for each of its messages");
    }

    @Test
    void aNodeThatFollowsTheRoomAgainAndAgainWhileItTalksMissesNothing() throws Exception {
        FakePeer alice = FakePeer.inline("alice");
        Member onA = joined(a, alice);
        // Alice talks until enough visitors came and went (however slow the machine), 20,000 messages at most.
        AtomicBoolean enough = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        Thread talker = new Thread(() -> {
            while (!enough.get() && sent.get() < 20_000) {
                a.publish(onA, "alice:" + sent.incrementAndGet());
                LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
            }
        });
        talker.start();
        // Each visitor is alone on B: its leave retires the room there, and the next join follows
        // it afresh (backlog, subscription, catch-up) while alice's messages keep coming.
        List<FakePeer> visitors = new ArrayList<>();
        while (talker.isAlive() && visitors.size() < 20) {
            FakePeer visitor = FakePeer.inline("bob");
            visitors.add(visitor);
            Member onB = b.join(room, "bob", Resume.FRESH, visitor);
            int seen = visitor.events("message").size();
            await().atMost(WITHIN).until(() -> visitor.events("message").size() > seen || !talker.isAlive());
            b.leave(onB);
        }
        enough.set(true);
        FakePeer last = FakePeer.inline("carol");
        b.join(room, "carol", Resume.FRESH, last);
        talker.join();
        int messages = sent.get();

        await().atMost(WITHIN).until(() -> alice.events("ack").size() == messages);
        long lastId = alice.events("ack").get(messages - 1).getJsonNumber("id").longValue();
        // Carol joined on B before or after the last message: it reaches her as an event or in her welcome.
        await().atMost(WITHIN).until(() -> last.events("message").stream().anyMatch(m -> m.getJsonNumber("id").longValue() == lastId)
                || historyIds(welcome(last)).contains(lastId));
        assertEquals(20, visitors.size(), "the room was followed afresh while alice talked");
        for (FakePeer visitor : visitors) {
            // A visitor's welcome holds the last messages: every message after them must follow, none skipped.
            assertFalse(visitor.events("message").isEmpty(), visitor + " got no message");
            assertEquals(0, visitor.violations(), visitor + " saw ids skipped or out of order: history "
                    + historyIds(welcome(visitor)) + ", then " + visitor.events("message").stream().map(m -> m.getJsonNumber("id")).toList());
        }
        assertEquals(0, last.violations() + alice.violations());
    }

    @Test
    void aMessagePublishedOnOneNodeReachesTheOthersWithTheSameIdAndWaitsInAnEmptyRoom() {
        Published kept = a.post(room, "bot", "before anyone came");
        FakePeer bob = FakePeer.inline("bob");
        Member onB = b.join(room, "bob", Resume.FRESH, bob);
        JsonObject history = welcome(bob).getJsonArray("history").getJsonObject(0);
        assertEquals(kept.id(), history.getJsonNumber("id").longValue(), "the empty room kept it for its next member");
        assertEquals("server", history.getString("origin"));
        assertEquals(kept.epoch(), welcome(bob).getString("epoch"));

        b.publish(onB, "bob:1");
        await().atMost(WITHIN).until(() -> bob.events("ack").size() == 1);
        Published notice = a.post(room, "bob", "from the application");
        await().atMost(WITHIN).until(() -> bob.events("message").size() == 1);
        JsonObject onNodeB = bob.events("message").get(0);
        assertEquals(notice.id(), onNodeB.getJsonNumber("id").longValue(), "one numbering across the nodes");
        assertEquals(kept.id() + 2, notice.id());
        assertEquals("server", onNodeB.getString("origin"), "named like bob, yet never taken for his ack");
        assertEquals(0, bob.violations());
        assertEquals(List.of(kept.id(), kept.id() + 1, notice.id()), b.history(room, 0, 10).messages().stream()
                .map(frame -> Json.createReader(new StringReader(frame)).readObject().getJsonNumber("id").longValue())
                .toList(), "the history over HTTP reads the room's log, wherever its members are");
    }

    @Test
    void aCallToOneUserReachesItsConnectionsOnEveryNodeAndADisconnectRemovesThemAll() {
        FakePeer aliceOnA = FakePeer.inline("alice");
        FakePeer aliceOnB = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        a.join(room, "alice", Resume.FRESH, aliceOnA);
        b.join(room + "-other", "alice", Resume.FRESH, aliceOnB);
        joined(b, bob);

        assertTrue(b.address(UserCall.notice("alice", "billing", "paid")).isEmpty(), "each node counts its own");
        await().atMost(WITHIN).until(() -> aliceOnA.events("notice").size() == 1 && aliceOnB.events("notice").size() == 1);
        assertEquals("paid", aliceOnA.events("notice").get(0).getString("text"));
        assertTrue(bob.events("notice").isEmpty());

        b.address(UserCall.disconnect("alice", "account closed"));
        await().atMost(WITHIN).until(() -> aliceOnA.closedWith() != null && aliceOnB.closedWith() != null);
        assertEquals(CloseReasons.DISCONNECTED, aliceOnA.closedWith().getCloseCode().getCode(), "closed on the other node too");
        assertEquals("account closed", aliceOnA.closedWith().getReasonPhrase());
        await().atMost(WITHIN).until(() -> a.users() == 0 && b.users() == 1);
        await().atMost(WITHIN).until(() -> b.members(room, null, 10).count() == 1);
        assertNull(bob.closedWith());
    }

    @Test
    void presenceIsOneAcrossNodes() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        FakePeer otherAlice = FakePeer.inline("alice");
        joined(a, alice);
        Member bobOnB = b.join(room, "bob", Resume.FRESH, bob);
        Member secondAlice = b.join(room, "alice", Resume.FRESH, otherAlice);

        assertEquals(2, welcome(bob).getInt("count"), "bob's welcome counts alice on the other node");
        assertEquals(List.of("alice", "bob"), FakePeer.strings(welcome(bob), "members"));
        assertEquals("alice#2", secondAlice.name(), "names are unique across the cluster");
        await().atMost(WITHIN).until(() -> alice.events("join").size() == 2);
        assertEquals(List.of("bob", "alice#2"), alice.events("join").stream().map(e -> e.getString("member")).toList());
        assertEquals(3, alice.events("join").get(1).getInt("count"));
        assertEquals(3, a.members(room, null, 10).count(), "the members resource answers for the whole cluster");

        b.leave(bobOnB);
        await().atMost(WITHIN).until(() -> alice.events("leave").size() == 1);
        assertEquals("bob", alice.events("leave").get(0).getString("member"));
        assertEquals(2, alice.events("leave").get(0).getInt("count"));
        assertEquals(List.of("alice", "alice#2"), a.members(room, null, 10).names());
    }

    @Test
    void aClientResumesOnTheOtherNodeExactlyOrIsToldOfTheGap() {
        String epoch = talk(a, FakePeer.inline("alice"), 15);

        FakePeer resumed = FakePeer.inline("bob");
        b.join(room, "bob", Resume.after(8, epoch), resumed);
        assertEquals(ids(9, 15), historyIds(welcome(resumed)), "exactly what it missed, from Redis");
        assertTrue(resumed.events("gap").isEmpty());

        FakePeer tooOld = FakePeer.inline("carol");
        b.join(room, "carol", Resume.after(2, epoch), tooOld);
        JsonObject gap = ChatFixture.only(tooOld, "gap");
        assertEquals(6, gap.getInt("until"), "the history keeps the last 10: 3 to 5 are gone, and said so");
        assertFalse(gap.getBoolean("reset"));

        FakePeer otherNumbering = FakePeer.inline("dave");
        b.join(room, "dave", Resume.after(8, "not-" + epoch), otherNumbering);
        assertTrue(ChatFixture.only(otherNumbering, "gap").getBoolean("reset"));
        assertEquals(0, resumed.violations() + tooOld.violations() + otherNumbering.violations());
    }

    @Test
    void afterEveryoneLeavesNothingIsLeftOfThemOnAnyNodeOrInRedis() {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Rooms node = i % 2 == 0 ? a : b;
            members.add(node.join(room, "m" + i, Resume.FRESH, FakePeer.inline("m" + i)));
        }
        members.forEach(member -> (members.indexOf(member) % 2 == 0 ? a : b).leave(member));

        assertEquals(0, a.members() + b.members());
        assertEquals(0, a.rooms() + b.rooms());
        await().atMost(WITHIN).until(() -> a.members(room, null, 10) == null);
    }
}
