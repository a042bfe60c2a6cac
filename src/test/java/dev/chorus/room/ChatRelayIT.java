package dev.chorus.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.websocket.CloseReason.CloseCodes;
import java.net.http.WebSocket;
import org.junit.jupiter.api.Test;

class ChatRelayIT extends DeployedChorus {

    @Test
    void relaysTextToEveryOtherClientInTheRoom() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");
        ChatClient carol = join("lobby", "carol");

        alice.send("hello from alice");

        assertEquals("hello from alice", bob.nextText());
        assertEquals("hello from alice", carol.nextText());
    }

    @Test
    void doesNotEchoToTheSender() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");

        alice.send("not back to me");
        assertEquals("not back to me", bob.nextText());
        bob.send("reply");

        // An echo of alice's message would have been queued to her before bob even saw it.
        assertEquals("reply", alice.nextText());
    }

    @Test
    void keepsRoomsApart() {
        ChatClient inLobby = join("lobby", "a");
        ChatClient alsoInLobby = join("lobby", "b");
        ChatClient inKitchen = join("kitchen", "c");
        ChatClient alsoInKitchen = join("kitchen", "d");

        inLobby.send("lobby only");
        assertEquals("lobby only", alsoInLobby.nextText());
        alsoInKitchen.send("kitchen only");

        assertEquals("kitchen only", inKitchen.nextText());
        assertEquals(2, stats().getInt("rooms"));
    }

    @Test
    void dropsAClientThatVanishesWithoutACloseFrameAndKeepsBroadcasting() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");
        WebSocket vanishing = connectRaw("lobby", "vanishing");
        awaitMembers(3);

        vanishing.abort();
        assertEquals("vanishing", alice.next("leave").getString("member"));
        awaitMembers(2);
        for (int i = 0; i < 10; i++) {
            alice.send("after the drop " + i);
        }

        for (int i = 0; i < 10; i++) {
            assertEquals("after the drop " + i, bob.nextText());
        }
    }

    @Test
    void refusesAnInvalidRoomNameWithPolicyViolation() {
        ChatClient badCharacter = connect("no!bang", "name=alice");
        ChatClient tooLong = connect("r".repeat(65), "name=alice");

        assertEquals(CloseCodes.VIOLATED_POLICY, badCharacter.closeReason().getCloseCode());
        assertEquals(CloseCodes.VIOLATED_POLICY, tooLong.closeReason().getCloseCode());
    }
}
