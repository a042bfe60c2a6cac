package dev.chorus.room;

import static dev.chorus.testsupport.ChatFixture.historyIds;
import static dev.chorus.testsupport.ChatFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Messages the application publishes: numbered with the members', delivered, kept, read back by page. */
class RoomPostTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(Settings.defaultsWith(new ChatSettings.History(5, 2, 262_144, 67_108_864)));

    @Test
    void aPublishedMessageIsNumberedWithTheMembersAndMarkedAsTheServers() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member fromAlice = chat.join("lobby", alice);
        chat.join("lobby", bob);

        chat.rooms.publish(fromAlice, "one");
        Published published = chat.rooms.post("lobby", "alice", "notice");
        chat.rooms.publish(fromAlice, "three");

        assertEquals(new Published("lobby", 2, published.epoch(), ChatFixture.NOW), published);
        List<JsonObject> toBob = bob.events("message");
        assertEquals(List.of(1, 2, 3), toBob.stream().map(m -> m.getInt("id")).toList());
        assertEquals("server", toBob.get(1).getString("origin"), "no client can produce this field");
        assertFalse(toBob.get(0).containsKey("origin"));
        // Named like alice, yet not hers: she gets it as a message, not as the ack of something she sent.
        assertEquals(List.of(1, 3), alice.events("ack").stream().map(a -> a.getInt("id")).toList());
        assertEquals("notice", only(alice, "message").getString("text"));
        assertEquals("server", only(alice, "message").getString("origin"));
        assertEquals(0, alice.violations() + bob.violations());
    }

    @Test
    void aRoomNobodyIsInKeepsThePublishedMessageForItsNextMember() {
        Published first = chat.rooms.post("news", "bot", "first");
        chat.rooms.post("news", "bot", "second");
        assertEquals(0, chat.rooms.rooms(), "no room stays live for nobody");

        FakePeer reader = FakePeer.inline("reader");
        chat.join("news", reader);
        JsonObject welcome = only(reader, "welcome");
        assertEquals(List.of(1, 2), historyIds(welcome));
        assertEquals(first.epoch(), welcome.getString("epoch"), "the same numbering the publisher was given");
        assertEquals("server", welcome.getJsonArray("history").getJsonObject(0).getString("origin"));
        assertEquals(3, chat.rooms.post("news", "bot", "third").id(), "the numbering goes on");
        assertEquals(3, only(reader, "message").getInt("id"));
    }

    @Test
    void theHistoryReadsBackByPagesFromALiveOrAnEmptiedRoom() {
        for (int i = 1; i <= 7; i++) {
            chat.rooms.post("news", "bot", "m" + i);
        }

        HistoryPage first = chat.rooms.history("news", 0, 2);
        assertEquals(List.of("m3", "m4"), texts(first), "five kept: the oldest two are forgotten");
        assertEquals(4, first.next());
        HistoryPage last = chat.rooms.history("news", first.next(), 10);
        assertEquals(List.of("m5", "m6", "m7"), texts(last));
        assertEquals(0, last.next());

        chat.join("news", FakePeer.inline("reader"));
        assertEquals(List.of("m7"), texts(chat.rooms.history("news", 6, 10)), "the live room's history, the same");
        assertNull(chat.rooms.history("nowhere", 0, 10), "a room that keeps nothing");
        assertTrue(texts(chat.rooms.history("news", 7, 10)).isEmpty());
    }

    private static List<String> texts(HistoryPage page) {
        return page.messages().stream()
                .map(frame -> Json.createReader(new StringReader(frame)).readObject().getString("text")).toList();
    }
}
