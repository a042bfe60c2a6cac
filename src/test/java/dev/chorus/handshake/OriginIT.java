package dev.chorus.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.websocket.DeploymentException;
import org.junit.jupiter.api.Test;

/** The build allows {@code https://chat.example.org} besides the server's own origin (see the pom). */
class OriginIT extends DeployedChorus {

    @Test
    void aPageFromAForeignOriginIsRefusedAtTheHandshake() {
        DeploymentException refused = assertThrows(DeploymentException.class,
                () -> ChatClient.connectFrom("https://evil.example", chat("lobby", "name=mallory")));

        assertTrue(String.valueOf(refused.getMessage()).contains("403")
                || String.valueOf(refused.getCause()).contains("403"), "expected a 403: " + refused);
        assertEquals(0, stats().getInt("members"));
    }

    @Test
    void theServersOwnOriginAndTheConfiguredOneMayConnect() throws Exception {
        String own = address("http", "").toString().replaceFirst("(https?://[^/]+).*", "$1");
        try (ChatClient fromOwnPage = ChatClient.connectFrom(own, chat("lobby", "name=own"));
                ChatClient fromConfigured = ChatClient.connectFrom("https://chat.example.org", chat("lobby", "name=partner"))) {
            assertEquals("own", fromOwnPage.next("welcome").getString("you"));
            assertEquals("partner", fromConfigured.next("welcome").getString("you"));
        }
    }
}
