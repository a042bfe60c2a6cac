package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.config.ChatSettings;
import dev.chorus.room.Published;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the application may publish, and what it is told when it may not. */
class ServerMessagesTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(Settings.defaultsWith(new ChatSettings.Inbound(8, 20, 40, 10)));

    private final ServerMessages messages = new ServerMessages(chat.rooms, chat.settings, chat.clocks, 2, RoomEventsOut.NONE);

    @Test
    void publishesUnderTheDefaultNameOrTheOneGiven() {
        FakePeer reader = FakePeer.inline("reader");
        chat.join("news", reader);

        Published published = messages.publish("news", "hello");
        messages.publish("news", "Ticket bot", "closed");

        assertEquals(1, published.id());
        assertEquals(ServerMessages.DEFAULT_FROM, reader.events("message").get(0).getString("from"));
        assertEquals("Ticket bot", reader.events("message").get(1).getString("from"));
    }

    @Test
    void refusesWhatBreaksARuleAndSaysWhich() {
        assertEquals(ServerMessages.Refused.Why.INVALID, refused("..", "server", "hi"));
        assertEquals(ServerMessages.Refused.Why.INVALID, refused("news", "nobody#2", "hi"), "a suffix only the room gives");
        assertEquals(ServerMessages.Refused.Why.INVALID, refused("news", "server", " \t"));
        assertEquals(ServerMessages.Refused.Why.TOO_LARGE, refused("news", "server", "ééééé"), "10 bytes over 8");
        messages.publish("news", "1234567");
        assertEquals(0, chat.rooms.rooms(), "refused messages left nothing behind; the one published, no live room");
    }

    @Test
    void keepsToTheNodesPublishRate() {
        messages.publish("news", "a");
        messages.publish("news", "b");
        assertEquals(ServerMessages.Refused.Why.RATE, refused("news", "server", "c"));
        chat.nanos += 1_000_000_000L;
        assertEquals(3, messages.publish("news", "c").id(), "the refused one spent no id");
    }

    @Test
    void aCallToOneUserKeepsToTheSameRulesAndCountsWhatItReached() {
        FakePeer alice = FakePeer.inline("alice");
        chat.join("news", alice);
        assertEquals(ServerMessages.Refused.Why.INVALID, assertThrows(ServerMessages.Refused.class,
                () -> messages.notify(" ", null, "hi")).why(), "no user");
        assertEquals(ServerMessages.Refused.Why.INVALID, assertThrows(ServerMessages.Refused.class,
                () -> messages.notify("alice", "bot#2", "hi")).why(), "a suffix only a room gives");
        assertEquals(ServerMessages.Refused.Why.TOO_LARGE, assertThrows(ServerMessages.Refused.class,
                () -> messages.notify("alice", null, "ééééé")).why());
        assertEquals(OptionalLong.of(1), messages.notify("alice", null, "hi"));
        assertEquals(OptionalLong.of(0), messages.notify("bob", null, "hi"), "nobody of that name here");
        assertEquals(ServerMessages.Refused.Why.RATE, assertThrows(ServerMessages.Refused.class,
                () -> messages.notify("alice", null, "again")).why(), "notices share the publish rate");
        assertEquals(OptionalLong.of(1), messages.disconnect("alice", null), "a disconnect spends no rate");
        assertEquals(1, alice.events("notice").size());
    }

    private ServerMessages.Refused.Why refused(String room, String from, String text) {
        return assertThrows(ServerMessages.Refused.class, () -> messages.publish(room, from, text)).why();
    }
}
