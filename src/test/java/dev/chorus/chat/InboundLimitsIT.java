package dev.chorus.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason.CloseCodes;
import org.junit.jupiter.api.Test;

/**
 * What a client may send. The build sets {@code CHORUS_RATE_BURST=250} for the servers under
 * test (see the pom); the other limits are the documented defaults.
 */
class InboundLimitsIT extends DeployedChorus {

    private static final int MAX_MESSAGE_BYTES = 65_536;
    private static final int BURST = 250;
    private static final int DEFAULT_STRIKES = 10;

    @Test
    void aMessageOverTheSizeLimitClosesWith1009AndOthersCarryOn() {
        ChatClient big = join("limits", "big");
        ChatClient other = join("limits", "other");
        ChatClient listener = join("limits", "listener");

        big.send("x".repeat(MAX_MESSAGE_BYTES + 1));

        assertEquals(CloseCodes.TOO_BIG, big.closeReason().getCloseCode());
        other.send("x".repeat(MAX_MESSAGE_BYTES - 100));
        assertEquals(MAX_MESSAGE_BYTES - 100, listener.nextText().length(), "a message under the limit still passes");
    }

    @Test
    void aBinaryFrameClosesWith1003() {
        ChatClient binary = join("limits", "binary");

        binary.sendBinary(new byte[] {1, 2, 3});

        assertEquals(CloseCodes.CANNOT_ACCEPT, binary.closeReason().getCloseCode());
    }

    @Test
    void aFloodIsPacedWithErrorsThenClosedWith1008() {
        ChatClient flooder = join("flood", "flooder");
        ChatClient listener = join("flood", "listener");

        int sent = 0;
        for (; sent < 4 * BURST && flooder.isOpen(); sent++) {
            try {
                flooder.send("f" + sent);
            } catch (IllegalStateException closedMeanwhile) {
                break;
            }
        }

        assertEquals(CloseCodes.VIOLATED_POLICY, flooder.closeReason().getCloseCode());
        JsonObject error = flooder.next("error");
        assertEquals("rate-limited", error.getString("code"));
        // The configured burst took effect: the default of 40 would have cut the flood much earlier.
        for (int i = 0; i < BURST; i++) {
            assertEquals("f" + i, listener.nextText());
        }
        assertTrue(sent >= BURST + DEFAULT_STRIKES, "closed after " + sent + " messages");
    }
}
