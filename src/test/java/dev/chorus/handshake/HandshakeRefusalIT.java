package dev.chorus.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.StalledClient;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Handshakes refused before the upgrade. The build allows {@code https://chat.example.org} besides
 * the server's own origin (see the pom).
 */
class HandshakeRefusalIT extends DeployedChorus {

    @Test
    void aPageFromAForeignOriginIsRefusedAtTheHandshake() {
        assertEquals(403, ChatClient.handshakeStatus(chat("lobby", "name=mallory"), "Origin", "https://evil.example"));
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

    @Test
    void aQueryWithAMalformedEscapeIsRefusedWith400AndHoldsNoConnection() throws Exception {
        URI lobby = chat("lobby", "");

        assertEquals(400, StalledClient.handshakeStatus(lobby, "name=%ZZ"));
        assertEquals(400, StalledClient.handshakeStatus(lobby, "name=abc%E"));
        assertEquals(101, StalledClient.handshakeStatus(lobby, "name=Jos%C3%A9"));

        // Undertow answers these 400s itself; on Payara the handshake filter does, and counts them.
        long counted = metrics().get("chorus_refused_handshakes_total{cause=\"malformed-query\"}");
        assertTrue(counted == 0 || counted == 2, "counted " + counted);
    }
}
