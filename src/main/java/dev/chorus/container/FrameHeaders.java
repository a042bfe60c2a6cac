package dev.chorus.container;

/**
 * Checks the header of every frame a client sends as its bytes go by, before the WebSocket
 * implementation buffers any of them: that the frame is masked (RFC 6455 §5.1: a server must
 * close the connection on an unmasked client frame) and that no data message, its fragments
 * summed, announces more than the limit. Payloads are skipped by count, never looked at, so the
 * check costs a few operations per frame. Tyrus buffers up to its frame buffer before it reads a
 * length, and takes unmasked frames as messages: this answers both at the header.
 */
final class FrameHeaders {

    /** What the bytes so far broke, if anything. */
    enum Verdict {
        PASS, UNMASKED, TOO_BIG
    }

    private final long maxMessageBytes;
    /** The header of the frame under way, as far as it has come: at most 2 + 8 + 4 bytes. */
    private final byte[] header = new byte[14];
    private int headerRead;
    /** Payload bytes of the current frame not yet gone by. */
    private long payloadLeft;
    /** The data message under way: its fragments' lengths so far. */
    private long messageBytes;
    private Verdict verdict = Verdict.PASS;

    FrameHeaders(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    Verdict verdict() {
        return verdict;
    }

    long maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * Looks at the next {@code length} bytes the client sent; returns how many of them may go on
     * to the implementation: all, or those before the frame that broke a rule (then {@link #verdict}
     * says which, and nothing after it passes).
     */
    int scan(byte[] bytes, int offset, int length) {
        if (verdict != Verdict.PASS) {
            return 0;
        }
        int end = offset + length;
        int i = offset;
        int frameStart = offset;
        while (i < end) {
            if (payloadLeft > 0) {
                int skipped = (int) Math.min(payloadLeft, end - i);
                payloadLeft -= skipped;
                i += skipped;
                continue;
            }
            if (headerRead == 0) {
                frameStart = i;
            }
            header[headerRead++] = bytes[i++];
            verdict = judge();
            if (verdict != Verdict.PASS) {
                return frameStart - offset;
            }
        }
        return length;
    }

    /** Judges the header as far as it has come, as early as each rule can be judged; ends the header once whole. */
    private Verdict judge() {
        if (headerRead < 2) {
            return Verdict.PASS;
        }
        if ((header[1] & 0x80) == 0) {
            return Verdict.UNMASKED;
        }
        int announced = header[1] & 0x7F;
        int lengthBytes = announced == 126 ? 2 : announced == 127 ? 8 : 0;
        if (headerRead < 2 + lengthBytes) {
            return Verdict.PASS;
        }
        long payload = payloadLength(announced, lengthBytes);
        int opcode = header[0] & 0x0F;
        if (headerRead == 2 + lengthBytes && opcode < 0x8) {
            // A data frame, its length just read: a continuation adds to the message under way.
            long message = (opcode == 0 ? messageBytes : 0) + payload;
            if (payload < 0 || message < 0 || message > maxMessageBytes) {
                return Verdict.TOO_BIG;
            }
            messageBytes = message;
        }
        if (headerRead == 2 + lengthBytes + 4) {
            headerRead = 0;
            payloadLeft = payload;
        }
        return Verdict.PASS;
    }

    /** The payload length the header announces: in its second byte, or in the 2 or 8 bytes after it (negative if the top bit is set). */
    private long payloadLength(int announced, int lengthBytes) {
        long payload = lengthBytes == 0 ? announced : 0;
        for (int i = 2; i < 2 + lengthBytes; i++) {
            payload = (payload << 8) | (header[i] & 0xFF);
        }
        return payload;
    }
}
