package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.StalledClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Clients that send their first message in the same packet as the handshake, as an eager client
 * may and an attacker will: each message reaches the room, and the server keeps its threads (on
 * Payara each such client used to hang one request thread for good, inside Tyrus's set-up; 200
 * of them stopped the node answering HTTP at all).
 */
class TyrusReadDeadlockFixIT extends DeployedChorus {

    private static final int EAGER = 20;

    @Test
    void aFirstFrameSentWithTheHandshakeIsRelayed() throws Exception {
        ChatClient listener = join("eager", "listener");
        List<StalledClient> eager = new ArrayList<>();
        Set<String> sent = new HashSet<>();
        try {
            for (int i = 0; i < EAGER; i++) {
                String text = "hello at once " + i;
                eager.add(StalledClient.connectSaying(chat("eager", "name=e" + i), text));
                sent.add(text);
            }
            assertEquals(sent, new HashSet<>(listener.nextTexts(EAGER)));
            assertEquals(200, get("api/health").statusCode());
        } finally {
            for (StalledClient client : eager) {
                client.close();
            }
        }
        awaitMembers(1);
    }
}
