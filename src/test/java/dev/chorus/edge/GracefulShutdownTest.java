package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.config.ChatSettings;
import dev.chorus.room.Member;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Closing everyone when the application stops. */
class GracefulShutdownTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    @Test
    void shutdownClosesEveryoneWith1001AfterWhatWasQueuedWithoutLeaveEventsAndDoesNotWaitForAStuckSend() {
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stuck = FakePeer.async("stuck", neverCompleted::add);
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member sender = chat.join("lobby", alice);
        chat.join("lobby", bob);
        chat.join("elsewhere", stuck); // its welcome's send never completes
        chat.rooms.publish(sender, "last words");

        GracefulShutdown.closeAll(chat.rooms.leaveAll(), Duration.ZERO);

        for (FakePeer peer : List.of(alice, bob, stuck)) {
            assertEquals(CloseCodes.GOING_AWAY, peer.closedWith().getCloseCode(), peer.name());
            assertEquals(1, peer.closes(), peer.name());
        }
        assertEquals(List.of("last words"), bob.texts());
        assertEquals(List.of(), alice.events("leave"), "nobody is told of the others leaving");
        assertEquals(List.of(), bob.events("leave"));
        assertEquals(0, chat.rooms.members());
        assertEquals(0, chat.rooms.rooms());
    }
}
