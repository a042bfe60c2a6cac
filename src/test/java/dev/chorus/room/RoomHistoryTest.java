package dev.chorus.room;

import static dev.chorus.testsupport.ChatFixture.historyIds;
import static dev.chorus.testsupport.ChatFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.Resume;
import dev.chorus.protocol.ServerEvents;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a room keeps for newcomers and resuming clients, and for how long. */
class RoomHistoryTest {

    /** Each room keeps 3 messages; 2 emptied rooms keep theirs. */
    @RegisterExtension
    final ChatFixture chat = new ChatFixture(Settings.defaultsWith(new ChatSettings.History(3, 2, 262_144, 67_108_864)));

    @Test
    void welcomeCarriesOnlyTheLastMessagesTheRoomKeeps() {
        chat.talk("lobby", 5);
        FakePeer late = FakePeer.inline("late");
        chat.join("lobby", late);

        JsonObject welcome = only(late, "welcome");
        List<JsonObject> history = welcome.getJsonArray("history").getValuesAs(JsonObject.class);
        assertEquals(List.of(3, 4, 5), historyIds(welcome));
        assertEquals("m5", history.get(2).getString("text"));
        assertEquals("sender", history.get(2).getString("from"));
    }

    @Test
    void resumingReplaysExactlyTheKeptMessagesAfterTheGivenId() {
        chat.talk("lobby", 5);

        FakePeer resuming = FakePeer.inline("resuming");
        chat.rooms.join("lobby", "resuming", Resume.after(3), resuming);
        FakePeer upToDate = FakePeer.inline("up-to-date");
        chat.rooms.join("lobby", "up-to-date", Resume.after(5), upToDate);

        assertEquals(List.of(4, 5), historyIds(only(resuming, "welcome")));
        assertTrue(resuming.events("gap").isEmpty());
        assertTrue(only(upToDate, "welcome").getJsonArray("history").isEmpty());
        assertTrue(upToDate.events("gap").isEmpty());
    }

    @Test
    void resumingPastWhatIsKeptSaysSoWithAGapBeforeTheWelcome() {
        chat.talk("lobby", 6);

        FakePeer behind = FakePeer.inline("behind");
        chat.rooms.join("lobby", "behind", Resume.after(1), behind);

        List<JsonObject> events = behind.events();
        assertEquals("gap", events.get(0).getString("type"));
        assertEquals(1, events.get(0).getInt("after"));
        assertEquals(4, events.get(0).getInt("until"), "ids 2 and 3 are lost; 4 is the oldest kept");
        assertEquals(List.of(4, 5, 6), historyIds(events.get(1)));
    }

    @Test
    void resumingFromAnIdTheRoomNeverIssuedSaysTheNumberingRestarted() {
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        chat.rooms.publish(sender, "m1");

        FakePeer fromAnotherLife = FakePeer.inline("old-client");
        chat.rooms.join("lobby", "old-client", Resume.after(57), fromAnotherLife);

        JsonObject gap = fromAnotherLife.events().get(0);
        assertEquals("gap", gap.getString("type"));
        assertEquals(57, gap.getInt("after"));
        assertEquals(1, gap.getInt("until"));
        assertEquals(1, only(fromAnotherLife, "welcome").getJsonArray("history").size());
    }

    @Test
    void aRoomThatEmptiedKeepsItsHistoryAndNumberingForWhoeverComesBack() {
        Member first = chat.join("lobby", FakePeer.inline("first"));
        chat.rooms.publish(first, "before everyone left");
        chat.rooms.leave(first);
        assertEquals(0, chat.rooms.rooms());

        FakePeer back = FakePeer.inline("back");
        Member again = chat.join("lobby", back);
        chat.rooms.publish(again, "after");

        assertEquals("before everyone left", only(back, "welcome").getJsonArray("history")
                .getJsonObject(0).getString("text"));
        assertEquals(2, only(back, "ack").getInt("id"));
    }

    @Test
    void forgetsTheHistoriesOfRoomsThatEmptiedLongestAgoBeyondTheLimit() {
        for (String room : List.of("a", "b", "c")) {
            Member member = chat.join(room, FakePeer.inline("x"));
            chat.rooms.publish(member, "in " + room);
            chat.rooms.leave(member);
        }

        FakePeer inA = FakePeer.inline("y");
        chat.join("a", inA);
        FakePeer inC = FakePeer.inline("y");
        chat.join("c", inC);

        assertTrue(only(inA, "welcome").getJsonArray("history").isEmpty(), "a emptied first and is over the limit of 2");
        assertEquals(1, only(inC, "welcome").getJsonArray("history").size());
    }

    @Test
    void aRoomKeepsNoMoreCharactersThanItsBudgetSoEveryWelcomeIsBounded() {
        chat.configure(Settings.defaultsWith(new ChatSettings.History(100, 2, 2_000, 100_000)));
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        // U+0001 is written as a six-character escape: the budget counts what is sent, not the text.
        String escaped = "\u0001".repeat(100);
        for (int i = 0; i < 20; i++) {
            chat.rooms.publish(sender, escaped);
        }

        FakePeer late = FakePeer.inline("late");
        chat.join("lobby", late);

        JsonObject welcome = only(late, "welcome");
        List<Integer> kept = historyIds(welcome);
        assertEquals(20, kept.get(kept.size() - 1), "the newest message is kept");
        int frame = ServerEvents.message(new ChatMessage("lobby", 20, "sender", escaped, ChatFixture.NOW)).length();
        assertTrue(frame > 600, "the escapes count: " + frame);
        assertEquals(2_000 / frame, kept.size(), "as many frames as fit in 2,000 characters");
        assertEquals(escaped, welcome.getJsonArray("history").getJsonObject(0).getString("text"));
        assertEquals(20 - kept.size(), chat.rooms.historyBudget().forgotten());
    }

    @Test
    void overTheTotalBudgetTheRoomsThatEmptiedLongestAgoAreForgottenFirst() {
        chat.configure(Settings.defaultsWith(new ChatSettings.History(100, 10, 1_000, 2_000)));
        for (String room : List.of("a", "b")) {
            Member member = chat.join(room, FakePeer.inline("x"));
            for (int i = 0; i < 5; i++) {
                chat.rooms.publish(member, "x".repeat(100));
            }
            chat.rooms.leave(member);
        }
        // a and b keep five frames of about 195 characters each: 1,950 of the 2,000. The live room's
        // first message goes over.
        Member live = chat.join("live", FakePeer.inline("z"));
        chat.rooms.publish(live, "z".repeat(100));

        assertTrue(chat.rooms.historyBudget().used() <= 2_000, "kept " + chat.rooms.historyBudget().used());
        FakePeer inA = FakePeer.inline("y");
        chat.rooms.join("a", "y", Resume.after(5), inA);
        assertEquals("gap", inA.events().get(0).getString("type"), "a's numbering restarted, and the client is told");
        FakePeer inB = FakePeer.inline("y");
        chat.join("b", inB);
        assertEquals(5, historyIds(only(inB, "welcome")).size(), "b emptied later and is still kept");
    }

    @Test
    void aResumeNamesItsNumberingSoThatARestartedOneIsNeverMistakenForIt() {
        chat.talk("lobby", 10);
        FakePeer first = FakePeer.inline("first");
        chat.join("lobby", first);
        String epoch = only(first, "welcome").getString("epoch");

        FakePeer sameNumbering = FakePeer.inline("same");
        chat.rooms.join("lobby", "same", Resume.after(9, epoch), sameNumbering);
        FakePeer otherNumbering = FakePeer.inline("other");
        chat.rooms.join("lobby", "other", Resume.after(9, "restarted"), otherNumbering);

        assertTrue(sameNumbering.events("gap").isEmpty());
        assertEquals(List.of(10), historyIds(only(sameNumbering, "welcome")));
        JsonObject gap = otherNumbering.events().get(0);
        assertEquals("gap", gap.getString("type"), "ids 1 to 10 of a new numbering, and the client had seen 9 of another");
        assertTrue(gap.getBoolean("reset"));
        assertEquals(List.of(8, 9, 10), historyIds(only(otherNumbering, "welcome")));
    }

    @Test
    void aRoomMadeAnewNumbersUnderAnotherEpoch() {
        FakePeer before = FakePeer.inline("before");
        Member member = chat.join("gone", before);
        chat.rooms.leave(member);
        chat.configure(chat.settings); // a restart: nothing retained
        FakePeer after = FakePeer.inline("after");
        chat.join("gone", after);

        assertNotEquals(only(before, "welcome").getString("epoch"), only(after, "welcome").getString("epoch"));
    }
}
