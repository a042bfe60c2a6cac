package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.StalledClient;
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

    @Test
    void aFrameAnnouncingFarMoreThanTheLimitIsCutOffAfterAboutTheLimit() throws Exception {
        ChatClient listener = join("limits", "listener");
        try (StalledClient huge = connectStalled("limits", "huge")) {
            huge.startFrame(0x81, 1L << 62);

            long sent = sendUntilClosed(huge);

            assertTrue(sent <= OVERSIZE_CUT_OFF, "the server took " + sent + " bytes of one frame before closing");
            assertEquals(CloseCodes.TOO_BIG.getCode(), huge.closeCodeSoFar(), "answered as the spec says, at the header");
        }
        awaitMembers(1);
        assertTrue(listener.isOpen());
    }

    @Test
    void anUnmaskedFrameClosesWith1002AndIsNeverRelayed() throws Exception {
        ChatClient listener = join("limits", "listener");
        ChatClient other = join("limits", "other");
        try (StalledClient unmasked = connectStalled("limits", "unmasked")) {
            unmasked.unmaskedFrame(0x81, "not masked".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

            assertEquals(CloseCodes.PROTOCOL_ERROR.getCode(), awaitClose(unmasked));
        }
        other.send("after");
        assertEquals("after", listener.nextText(), "the unmasked frame was not taken as a message");
    }

    @Test
    void aFragmentedMessageThatNeverEndsIsCutOffAfterAboutTheLimit() throws Exception {
        try (StalledClient endless = connectStalled("limits", "endless")) {
            endless.startFrame(0x01, CHUNK.length);
            endless.write(CHUNK);
            long sent = CHUNK.length;
            for (int i = 0; i < OVERSIZE_CUT_OFF / CHUNK.length && endless.closeCodeSoFar() == 0; i++) {
                endless.startFrame(0x00, CHUNK.length);
                sent += writeOrClosed(endless);
            }

            assertTrue(sent <= OVERSIZE_CUT_OFF, "the server took " + sent + " bytes of one message before closing");
            assertEquals(CloseCodes.TOO_BIG.getCode(), awaitClose(endless));
        }
    }

    /** 8 KiB of ASCII, which is valid UTF-8 cut anywhere. */
    private static final byte[] CHUNK = "x".repeat(8192).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Bytes of an oversized message the client may have written before it sees the server's close:
     * 16 times the limit. What the client wrote includes what sat in both kernels' socket buffers
     * on loopback when the server closed (measured: up to about 280 KiB); the servers themselves hold
     * at most about the limit (WildFly) or Tyrus' 128 KiB frame buffer (Payara). Before, Payara took
     * 5-8 MiB of such a frame and WildFly 16 MiB and more.
     */
    private static final long OVERSIZE_CUT_OFF = 16L * MAX_MESSAGE_BYTES;

    /** Writes chunks until the server closes, or up to twice the cut-off; returns the bytes written. */
    private static long sendUntilClosed(StalledClient client) throws Exception {
        long sent = 0;
        while (sent <= 2 * OVERSIZE_CUT_OFF && client.closeCodeSoFar() == 0) {
            long wrote = writeOrClosed(client);
            if (wrote == 0) {
                break;
            }
            sent += wrote;
        }
        int code = awaitClose(client);
        assertTrue(code == CloseCodes.TOO_BIG.getCode() || code == CloseCodes.UNEXPECTED_CONDITION.getCode() || code == -1,
                "closed with " + code);
        return sent;
    }

    private static long writeOrClosed(StalledClient client) {
        try {
            client.write(CHUNK);
            // Lets the server read what came before the next write: a trickle, as a hostile client sends it.
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            return CHUNK.length;
        } catch (java.io.IOException closed) {
            return 0;
        }
    }

    private static int awaitClose(StalledClient client) {
        int[] code = new int[1];
        org.awaitility.Awaitility.await().atMost(ChatClient.TIMEOUT).until(() -> {
            try {
                code[0] = client.closeCodeSoFar();
            } catch (java.io.IOException reset) {
                code[0] = -1;
            }
            return code[0] != 0;
        });
        return code[0];
    }
}
