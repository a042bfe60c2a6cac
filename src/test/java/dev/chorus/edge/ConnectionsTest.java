package dev.chorus.edge;

import static dev.chorus.testsupport.ChatFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.api.Policies;
import dev.chorus.api.RoomEventsOut;
import dev.chorus.config.ChatSettings;
import dev.chorus.handshake.ConnectionQuota;
import dev.chorus.outbound.SendLanes;
import dev.chorus.room.Member;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.FakeSession;
import dev.chorus.testsupport.Settings;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a client sends, checked before it reaches the room: blank, size and rate. */
class ConnectionsTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    @Test
    void blankTextGetsAnErrorAndIsNotRelayed() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member fromAlice = chat.join("lobby", alice);
        chat.join("lobby", bob);

        chat.connections().say(fromAlice, " \t ");

        assertEquals("empty", only(alice, "error").getString("code"));
        assertTrue(bob.events("message").isEmpty());
    }

    @Test
    void pacesASenderWithErrorsAndClosesItWhenItKeepsFlooding() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Inbound(65_536, 2, 3, 4)));
        FakePeer flooder = FakePeer.inline("flooder");
        FakePeer bob = FakePeer.inline("bob");
        Member fromFlooder = chat.join("lobby", flooder);
        chat.join("lobby", bob);

        for (int i = 0; i < 3 + 3; i++) {
            chat.connections().say(fromFlooder, "m" + i);
        }
        assertEquals(List.of("m0", "m1", "m2"), bob.texts(), "a burst of 3 passes, the rest is dropped");
        assertEquals(3, flooder.events("error").size());
        assertEquals(3, chat.metrics.rateLimitedMessages());
        assertEquals(3, chat.metrics.messagesReceived());
        assertEquals("rate-limited", flooder.events("error").get(0).getString("code"));

        chat.nanos += 1_000_000_000L; // one second: 2 more tokens
        chat.connections().say(fromFlooder, "after a pause");
        chat.connections().say(fromFlooder, "and another");
        assertEquals("and another", bob.texts().get(4));
        assertNull(flooder.closedWith(), "an accepted message clears the strikes");

        for (int i = 0; i < 4; i++) {
            chat.connections().say(fromFlooder, "flood " + i);
        }
        assertEquals(CloseCodes.VIOLATED_POLICY, flooder.closedWith().getCloseCode());
        assertEquals(1, chat.rooms.members());
    }

    @Test
    void aNodeThatHoldsItsRoomsRefusesANewRoomWith1013AndStillAdmitsToTheOnesItHas() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Limits(100, 0, 2)));
        Connections connections = chat.connections();
        chat.join("one", FakePeer.inline("a"));
        chat.join("two", FakePeer.inline("b"));

        FakeSession third = new FakeSession(Map.of("name", List.of("c")));
        connections.open("three", third.session());
        assertEquals(1013, third.closedWith().getCloseCode().getCode());
        assertTrue(third.sent().get(0).contains("\"code\":\"too-many-rooms\""), third.sent().toString());
        assertEquals(2, chat.rooms.rooms());

        FakeSession intoOne = new FakeSession(Map.of("name", List.of("d")));
        connections.open("one", intoOne.session());
        assertNull(intoOne.closedWith());
        assertEquals(3, chat.rooms.members());
    }

    /** Random room names cannot be opened faster than the limit: clustered, each would stay in Redis. */
    @Test
    void roomsNewToTheNodePastTheRatePerMinuteAreRefusedWith1013UntilTheRateAllowsMore() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Limits(100, 0, 100, 2)));
        Connections connections = chat.connections();
        for (String room : List.of("one", "two")) {
            FakeSession opener = new FakeSession(Map.of("name", List.of("a")));
            connections.open(room, opener.session());
            assertNull(opener.closedWith(), room);
        }

        FakeSession third = new FakeSession(Map.of("name", List.of("c")));
        connections.open("three", third.session());
        assertEquals(1013, third.closedWith().getCloseCode().getCode());
        assertTrue(third.sent().get(0).contains("\"code\":\"too-many-rooms\""), third.sent().toString());
        FakeSession intoOne = new FakeSession(Map.of("name", List.of("d")));
        connections.open("one", intoOne.session());
        assertNull(intoOne.closedWith(), "rooms the node has take joins at any rate");

        chat.nanos += TimeUnit.SECONDS.toNanos(30);
        FakeSession later = new FakeSession(Map.of("name", List.of("e")));
        connections.open("three", later.session());
        assertNull(later.closedWith(), "two a minute: one more after 30 s");
        assertEquals(3, chat.rooms.rooms());
    }

    @Test
    void aMessageOverTheSizeLimitInUtf8BytesClosesWith1009() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Inbound(8, 20, 40, 10)));
        Connections connections = chat.connections();
        FakePeer bob = FakePeer.inline("bob");
        chat.join("lobby", bob);
        FakeSession alice = new FakeSession(Map.of("name", List.of("alice")));
        connections.open("lobby", alice.session());

        connections.say(alice.session(), "ééé", true);   // 6 bytes: passes
        connections.say(alice.session(), "éé", false);   // 8 bytes in two parts: passes
        connections.say(alice.session(), "éé", true);
        assertNull(alice.closedWith());
        connections.say(alice.session(), "ééééé", true); // 10 bytes, though only 5 chars

        assertEquals(List.of("ééé", "éééé"), bob.texts());
        assertEquals(CloseCodes.TOO_BIG, alice.closedWith().getCloseCode());
    }

    @Test
    void aMessageInPartsClosesWith1009AsSoonAsItPassesTheLimitWithoutWaitingForItsEnd() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Inbound(1_000, 20, 40, 10)));
        Connections connections = chat.connections();
        FakeSession endless = new FakeSession(Map.of("name", List.of("mallory")));
        connections.open("lobby", endless.session());

        connections.say(endless.session(), "x".repeat(600), false);
        assertNull(endless.closedWith());
        connections.say(endless.session(), "x".repeat(600), false); // the last part never comes

        assertEquals(CloseCodes.TOO_BIG, endless.closedWith().getCloseCode());
        assertEquals(0, chat.rooms.members());
    }

    @Test
    void anErrorTheContainerReportsClosesTheSocketWith1011AndKeepsItsSlotUntilTheClose() {
        ConnectionQuota quota = new ConnectionQuota(chat.settings);
        Connections connections = new Connections(chat.rooms, quota, chat.settings, chat.metrics, chat.clocks,
                chat.closes(), new SendLanes(), Policies.NONE, RoomEventsOut.NONE);
        FakeSession client = new FakeSession(Map.of("name", List.of("alice")));
        connections.open("lobby", client.session());
        assertEquals(1, chat.rooms.members());

        connections.fail(client.session(), new IllegalStateException("a callback threw"));

        assertEquals(CloseCodes.UNEXPECTED_CONDITION, client.closedWith().getCloseCode());
        assertEquals(0, chat.rooms.members());
        assertEquals(1, quota.connections(), "released before the container reported the close");
        connections.close(client.session(), client.closedWith());
        assertEquals(0, quota.connections());
        assertEquals(Map.of("1011", 1L), chat.metrics.closesByCode());
    }

    @Test
    void closeCodesAClientChoosesShareOneLabel() {
        Connections connections = chat.connections();
        for (int code : new int[] {4001, 4999, 3999, 1000}) {
            FakeSession client = new FakeSession(Map.of("name", List.of("c" + code)));
            connections.open("lobby", client.session());
            connections.close(client.session(), new CloseReason(CloseReason.CloseCodes.getCloseCode(code), ""));
        }

        assertEquals(Map.of("1000", 1L, "other", 3L), chat.metrics.closesByCode());
        assertEquals(0, chat.rooms.members());
    }
}
