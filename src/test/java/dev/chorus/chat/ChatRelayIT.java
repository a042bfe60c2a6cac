package dev.chorus.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.websocket.CloseReason.CloseCodes;
import java.net.http.WebSocket;
import org.junit.jupiter.api.Test;

class ChatRelayIT extends DeployedChorus {

    @Test
    void relaysTextToEveryOtherClientInTheRoom() {
        ChatClient alice = connect("lobby");
        ChatClient bob = connect("lobby");
        ChatClient carol = connect("lobby");
        awaitMembers(3);

        alice.send("hello from alice");

        assertEquals("hello from alice", bob.next());
        assertEquals("hello from alice", carol.next());
    }

    @Test
    void doesNotEchoToTheSender() {
        ChatClient alice = connect("lobby");
        ChatClient bob = connect("lobby");
        awaitMembers(2);

        alice.send("not back to me");
        assertEquals("not back to me", bob.next());
        bob.send("reply");

        // An echo of alice's message would have been queued to her before bob even saw it.
        assertEquals("reply", alice.next());
    }

    @Test
    void keepsRoomsApart() {
        ChatClient inLobby = connect("lobby");
        ChatClient alsoInLobby = connect("lobby");
        ChatClient inKitchen = connect("kitchen");
        ChatClient alsoInKitchen = connect("kitchen");
        awaitMembers(4);

        inLobby.send("lobby only");
        assertEquals("lobby only", alsoInLobby.next());
        alsoInKitchen.send("kitchen only");

        assertEquals("kitchen only", inKitchen.next());
        assertEquals(2, stats().getInt("rooms"));
    }

    @Test
    void dropsAClientThatVanishesWithoutACloseFrameAndKeepsBroadcasting() {
        ChatClient alice = connect("lobby");
        ChatClient bob = connect("lobby");
        WebSocket vanishing = connectRaw("lobby");
        awaitMembers(3);

        vanishing.abort();
        awaitMembers(2);
        for (int i = 0; i < 10; i++) {
            alice.send("after the drop " + i);
        }

        for (int i = 0; i < 10; i++) {
            assertEquals("after the drop " + i, bob.next());
        }
    }

    @Test
    void refusesAnInvalidRoomNameWithPolicyViolation() {
        ChatClient badCharacter = connect("no!bang");
        ChatClient tooLong = connect("r".repeat(65));

        assertEquals(CloseCodes.VIOLATED_POLICY, badCharacter.closeReason().getCloseCode());
        assertEquals(CloseCodes.VIOLATED_POLICY, tooLong.closeReason().getCloseCode());
    }
}
