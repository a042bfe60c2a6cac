package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.websocket.CloseReason.CloseCodes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The build caps the servers under test at 60 connections (see the pom). */
class ConnectionCapIT extends DeployedChorus {

    private static final int CAP = 60;

    @Test
    void aFullServerRefusesWith1013AndTakesNewcomersAgainOnceSomeoneLeaves() {
        List<ChatClient> everyone = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            everyone.add(join("cap" + i % 3, "c" + i));
        }

        ChatClient tooMany = connect("cap0", "name=latecomer");
        assertEquals("server-full", tooMany.next("error").getString("code"));
        assertEquals(CloseCodes.TRY_AGAIN_LATER, tooMany.closeReason().getCloseCode());

        everyone.get(0).close();
        awaitMembers(CAP - 1);
        // join() waits for the welcome: the freed slot let the latecomer in.
        assertTrue(join("cap0", "latecomer").isOpen());
    }
}
