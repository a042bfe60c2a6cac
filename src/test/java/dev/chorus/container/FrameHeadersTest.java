package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameHeadersTest {

    private static final int LIMIT = 1000;

    /** A client frame: FIN and opcode in {@code first}, masked unless said, with a payload of that length. */
    private static byte[] frame(int first, int payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int mask = masked ? 0x80 : 0;
        if (payload < 126) {
            out.write(mask | payload);
        } else {
            out.write(mask | 126);
            out.write(payload >>> 8);
            out.write(payload & 0xFF);
        }
        if (masked) {
            out.writeBytes(new byte[] {1, 2, 3, 4});
        }
        out.writeBytes(new byte[payload]);
        return out.toByteArray();
    }

    private static byte[] join(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(frames).forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** Scans the bytes in reads of {@code chunk} bytes, as a socket delivers them; the bytes that passed. */
    private static int scanInChunks(FrameHeaders headers, byte[] bytes, int chunk) {
        int passed = 0;
        for (int at = 0; at < bytes.length; at += chunk) {
            int length = Math.min(chunk, bytes.length - at);
            int ok = headers.scan(bytes, at, length);
            passed += ok;
            if (ok < length) {
                break;
            }
        }
        return passed;
    }

    @Test
    void masksAndLengthsWithinTheLimitPassWhicheverWayTheBytesAreSplit() {
        byte[] stream = join(frame(0x81, 10, true), frame(0x01, 600, true), frame(0x89, 4, true), frame(0x80, 400, true),
                frame(0x81, 1000, true));
        for (int chunk : new int[] {1, 2, 3, 7, 64, 4096}) {
            FrameHeaders headers = new FrameHeaders(LIMIT);
            assertEquals(stream.length, scanInChunks(headers, stream, chunk), "chunks of " + chunk);
            assertEquals(FrameHeaders.Verdict.PASS, headers.verdict());
        }
    }

    @Test
    void anUnmaskedFrameStopsAtItsHeaderAndTheFramesBeforeItPass() {
        byte[] first = frame(0x81, 5, true);
        byte[] stream = join(first, frame(0x81, 5, false), frame(0x81, 5, true));
        for (int chunk : new int[] {1, 3, 4096}) {
            FrameHeaders headers = new FrameHeaders(LIMIT);
            int passed = scanInChunks(headers, stream, chunk);
            assertEquals(FrameHeaders.Verdict.UNMASKED, headers.verdict());
            // A header's first byte may have gone on in an earlier read; nothing of the frame's payload does.
            assertTrue(passed == first.length || passed == first.length + 1, "chunks of " + chunk + ": " + passed);
            assertEquals(0, headers.scan(stream, 0, stream.length), "nothing passes after");
        }
    }

    @Test
    void aFrameAnnouncingMoreThanTheLimitStopsAtItsLengthBeforeAnyPayload() {
        byte[] header = {(byte) 0x81, (byte) (0x80 | 127), 0x40, 0, 0, 0, 0, 0, 0, 0};
        FrameHeaders headers = new FrameHeaders(LIMIT);
        assertEquals(0, headers.scan(header, 0, header.length));
        assertEquals(FrameHeaders.Verdict.TOO_BIG, headers.verdict());
    }

    @Test
    void fragmentsCountTogetherAndAControlFrameBetweenThemDoesNotResetTheCount() {
        byte[] stream = join(frame(0x01, 600, true), frame(0x89, 10, true), frame(0x00, 300, true), frame(0x80, 101, true));
        FrameHeaders headers = new FrameHeaders(LIMIT);
        int passed = scanInChunks(headers, stream, 5);
        assertEquals(FrameHeaders.Verdict.TOO_BIG, headers.verdict(), "600 + 300 + 101 is over 1000");
        assertEquals(stream.length - frame(0x80, 101, true).length, passed);
    }

    @Test
    void aNewMessageStartsItsOwnCount() {
        byte[] stream = join(frame(0x81, 900, true), frame(0x81, 900, true), frame(0x01, 500, true), frame(0x80, 500, true));
        FrameHeaders headers = new FrameHeaders(LIMIT);
        assertEquals(stream.length, scanInChunks(headers, stream, 128));
        assertEquals(FrameHeaders.Verdict.PASS, headers.verdict());
    }
}
