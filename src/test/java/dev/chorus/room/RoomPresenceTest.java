package dev.chorus.room;

import static dev.chorus.testsupport.ChatFixture.only;
import static dev.chorus.testsupport.FakePeer.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Who is in a room: the welcome's names and count, join and leave events, paging, unique names. */
class RoomPresenceTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    @Test
    void welcomesWithTheMembersAndTellsTheOthersWhoJoinedAndLeft() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        chat.join("lobby", alice);
        Member bobInLobby = chat.join("lobby", bob);

        JsonObject welcome = only(bob, "welcome");
        assertEquals("bob", welcome.getString("you"));
        assertEquals("lobby", welcome.getString("room"));
        assertEquals(List.of("alice", "bob"), strings(welcome, "members"));
        assertEquals(2, welcome.getInt("count"));
        JsonObject joined = only(alice, "join");
        assertEquals("bob", joined.getString("member"));
        assertEquals(2, joined.getInt("count"));
        assertFalse(joined.containsKey("members"), "a join must cost the same in a room of any size");
        assertTrue(bob.events("join").isEmpty(), "the joiner gets a welcome, not its own join");

        chat.rooms.leave(bobInLobby);

        JsonObject left = only(alice, "leave");
        assertEquals("bob", left.getString("member"));
        assertEquals(1, left.getInt("count"));
    }

    @Test
    void aLargeRoomWelcomesWithTheCountAndOnePageOfNamesAndStopsAnnouncingSingleArrivals() {
        int size = Room.ANNOUNCED_UP_TO + 50;
        FakePeer first = FakePeer.inline("m000");
        chat.join("big", first);
        for (int i = 1; i < size; i++) {
            chat.join("big", FakePeer.inline(String.format("m%03d", i)));
        }
        FakePeer late = FakePeer.inline("zz-late");
        Member lateMember = chat.join("big", late);

        JsonObject welcome = only(late, "welcome");
        assertEquals(size + 1, welcome.getInt("count"));
        List<String> page = strings(welcome, "members");
        assertEquals(Room.MEMBERS_PAGE, page.size());
        assertEquals("m000", page.get(0));
        assertEquals(Room.ANNOUNCED_UP_TO - 1, first.events("join").size(), "announced while the room was small");
        chat.rooms.leave(lateMember);
        assertEquals(0, first.events("leave").size());
    }

    @Test
    void pagesThroughARoomsMembersByName() {
        for (String name : List.of("dave", "alice", "carol", "bob", "erin")) {
            chat.join("lobby", FakePeer.inline(name));
        }

        MembersPage first = chat.rooms.members("lobby", null, 2);
        MembersPage second = chat.rooms.members("lobby", first.next(), 2);
        MembersPage last = chat.rooms.members("lobby", second.next(), 2);

        assertEquals(List.of("alice", "bob"), first.names());
        assertEquals(List.of("carol", "dave"), second.names());
        assertEquals(List.of("erin"), last.names());
        assertNull(last.next());
        assertEquals(5, last.count());
        assertNull(chat.rooms.members("nowhere", null, 2));
    }

    @Test
    void givesATakenNameTheFirstFreeSuffix() {
        Member first = chat.join("lobby", FakePeer.inline("alice"));
        Member second = chat.join("lobby", FakePeer.inline("alice"));
        Member third = chat.join("lobby", FakePeer.inline("alice"));
        Member elsewhere = chat.join("kitchen", FakePeer.inline("alice"));

        assertEquals(List.of("alice", "alice#2", "alice#3", "alice"),
                List.of(first.name(), second.name(), third.name(), elsewhere.name()));
        chat.rooms.leave(second);
        assertEquals("alice#2", chat.join("lobby", FakePeer.inline("alice")).name());
    }
}
