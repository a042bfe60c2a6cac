package dev.chorus.room;

import static dev.chorus.testsupport.ChatFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.CloseReasons;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Calls to one user: every connection of that user, in every room, and nobody else's. */
class UserCallTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(Settings.defaultsWith());

    @Test
    void aNoticeReachesEveryConnectionOfTheUserInEveryRoomAndNobodyElse() {
        FakePeer inLobby = FakePeer.inline("alice");
        FakePeer secondTab = FakePeer.inline("alice");
        FakePeer inNews = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        chat.join("lobby", inLobby);
        Member second = chat.join("lobby", secondTab);
        chat.join("news", inNews);
        chat.join("lobby", bob);
        assertEquals("alice#2", second.name(), "two tabs are two members of the room");

        OptionalLong reached = chat.rooms.address(UserCall.notice("alice", "billing", "your invoice is ready"));

        assertEquals(OptionalLong.of(3), reached);
        for (FakePeer peer : List.of(inLobby, secondTab, inNews)) {
            JsonObject notice = only(peer, "notice");
            assertEquals("your invoice is ready", notice.getString("text"));
            assertEquals("billing", notice.getString("from"));
            assertEquals("server", notice.getString("origin"));
            assertEquals(ChatFixture.NOW.toString(), notice.getString("ts"));
        }
        assertTrue(bob.events("notice").isEmpty(), "a notice is private to its user");
        assertTrue(inLobby.events("message").isEmpty(), "a notice is not a room message: no id is spent");
    }

    @Test
    void aNoticeWithoutASenderHasNoFromAndAnUnknownUserIsReachedNowhere() {
        FakePeer alice = FakePeer.inline("alice");
        chat.join("lobby", alice);

        assertEquals(OptionalLong.of(0), chat.rooms.address(UserCall.notice("alicia", null, "hi")));
        chat.rooms.address(UserCall.notice("alice", null, "hi"));
        assertFalse(only(alice, "notice").containsKey("from"));
    }

    @Test
    void aDisconnectClosesEveryConnectionOfTheUserWith4000AndLeavesTheOthers() {
        FakePeer inLobby = FakePeer.inline("alice");
        FakePeer inNews = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        chat.join("lobby", inLobby);
        chat.join("news", inNews);
        chat.join("lobby", bob);

        assertEquals(OptionalLong.of(2), chat.rooms.address(UserCall.disconnect("alice", "account suspended")));

        for (FakePeer peer : List.of(inLobby, inNews)) {
            assertEquals(CloseReasons.DISCONNECTED, peer.closedWith().getCloseCode().getCode());
            assertEquals("account suspended", peer.closedWith().getReasonPhrase());
        }
        assertNull(bob.closedWith());
        assertEquals("alice", only(bob, "leave").getString("member"), "the room sees the user leave");
        assertEquals(1, chat.rooms.members());
        assertEquals(1, chat.rooms.users(), "only bob is left to address");
        assertEquals(OptionalLong.of(0), chat.rooms.address(UserCall.disconnect("alice", null)), "nothing left to close");
    }

    @Test
    void aDisconnectWithoutAReasonSaysWhoClosedIt() {
        FakePeer alice = FakePeer.inline("alice");
        chat.join("lobby", alice);
        chat.rooms.address(UserCall.disconnect("alice", " "));
        assertEquals("disconnected by the application", alice.closedWith().getReasonPhrase());
    }

    @Test
    void whenEveryoneHasLeftNoUserIsLeftToAddress() {
        Member alice = chat.join("lobby", FakePeer.inline("alice"));
        Member again = chat.join("news", FakePeer.inline("alice"));
        assertEquals(1, chat.rooms.users());
        chat.rooms.leave(alice);
        assertEquals(1, chat.rooms.users(), "alice is still in news");
        chat.rooms.leave(again);
        chat.rooms.leave(again);
        assertEquals(0, chat.rooms.users());
    }
}
