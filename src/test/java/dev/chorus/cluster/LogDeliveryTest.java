package dev.chorus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.protocol.Resume;
import dev.chorus.room.Fanout;
import dev.chorus.room.Member;
import dev.chorus.room.Room;
import dev.chorus.room.RoomHistory;
import dev.chorus.room.Ticket;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A room's log applied on one node: in order, each id once, and never across a hole in the ids. */
class LogDeliveryTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(Settings.defaultsWith());

    private final Room room = new Room("busy", new RoomHistory("busy", 10, 262_144, chat.rooms.historyBudget(), "e1", 3),
            Clock.systemUTC(), "100-0");
    private final FakePeer bob = FakePeer.inline("bob");

    private static RoomEntry message(String at, long id) {
        return message(at, id, "alice", "an-earlier-connection");
    }

    private static RoomEntry message(String at, long id, String from, String senderToken) {
        return new RoomEntry(at, RoomEntry.Kind.MESSAGE, "e1", id, from, "m" + id, 0, 0, "node-a", null, false, senderToken);
    }

    private LogDelivery.Relayed apply(RoomEntry... entries) {
        Fanout fanout = chat.rooms.fanout();
        LogDelivery.Relayed relayed = room.inOrder(members -> LogDelivery.apply(room, List.of(entries), members, fanout));
        fanout.complete();
        return relayed;
    }

    @Test
    void contiguousEntriesReachTheMembersInOrder() {
        seatBob();
        assertEquals(LogDelivery.Relayed.APPLIED, apply(message("101-0", 3), message("102-0", 4)));
        assertEquals(List.of(3, 4), bob.events("message").stream().map(m -> m.getInt("id")).toList());
    }

    @Test
    void aHoleInTheIdsIsNotPassedOverSilently() {
        seatBob();
        // The log was trimmed between the room's backlog and its catch-up: ids 4 to 6 are gone.
        assertEquals(LogDelivery.Relayed.SKIPPED, apply(message("101-0", 3), message("150-0", 7)));
        assertEquals(List.of(3), bob.events("message").stream().map(m -> m.getInt("id")).toList(),
                "nothing after the hole is shown as if it followed");
        assertEquals(0, bob.violations());
    }

    @Test
    void theAckGoesToTheConnectionThatSentNotToWhoeverHoldsTheNameNow() {
        // Alice sent id 3 and dropped; she came back (here, or through another node) as a new
        // connection under the freed name, before this node read id 3 from the log.
        FakePeer aliceAgain = FakePeer.inline("alice");
        seat(aliceAgain, "alice");
        seatBob();
        FakePeer carol = FakePeer.inline("carol");
        Member sender = seat(carol, "carol");

        apply(message("101-0", 3, "alice", "a-dropped-connection"), message("102-0", 4, "carol", sender.token()));

        assertEquals(List.of(3, 4), aliceAgain.events("message").stream().map(m -> m.getInt("id")).toList(),
                "the message, which her page shows, not an ack it would match to an unrelated pending send");
        assertEquals(0, aliceAgain.events("ack").size());
        assertEquals(List.of(4), carol.events("ack").stream().map(a -> a.getInt("id")).toList(), "the sender, by its token");
        assertEquals(List.of(3), carol.events("message").stream().map(m -> m.getInt("id")).toList());
    }

    private void seatBob() {
        seat(bob, "bob");
    }

    private Member seat(FakePeer peer, String name) {
        Member member = chat.rooms.newMember(room, peer);
        Fanout fanout = chat.rooms.fanout();
        room.admit(member, new Ticket(name, 1, "e1", 2, List.of(name), "100-0"), Resume.FRESH, fanout);
        fanout.complete();
        return member;
    }
}
