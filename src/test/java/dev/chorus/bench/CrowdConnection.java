package dev.chorus.bench;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One client WebSocket of {@link CrowdBenchmark} over a non-blocking channel, with the RFC 6455
 * codec it needs: the upgrade request and its answer, server frames read in place from a buffer
 * the selector thread shares, and masked client frames. Kept to a few fields, because a process
 * holds thousands of them: a partial frame waits in {@link #leftover} only until its rest arrives.
 */
final class CrowdConnection {

    enum State { CONNECTING, UPGRADING, OPEN, CLOSING, DONE }

    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    /** RFC 6455's constant the server hashes the key with. */
    private static final byte[] ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    /** A longer upgrade answer is not a WebSocket server's. */
    private static final int MAX_RESPONSE = 16 * 1024;

    /** What a connection's server frames are handed to, on the selector thread. */
    interface Frames {
        /** A text frame's payload, {@code array[from..to)}, read at {@code nanos}. */
        void text(CrowdConnection connection, byte[] array, int from, int to, long nanos);

        void ping(CrowdConnection connection, byte[] array, int from, int to);

        /** A close frame, with its code (1005 if it carried none). */
        void close(CrowdConnection connection, int code);
    }

    /** Why an upgrade failed, or null while it may still succeed. */
    static final class Refusal extends Exception {
        Refusal(String cause) {
            super(cause, null, false, false);
        }
    }

    final int index;
    final SocketChannel channel;
    final long startedNanos;
    SelectionKey key;
    State state = State.CONNECTING;
    /** The Sec-WebSocket-Accept the server must answer; null once upgraded. */
    private String acceptExpected;
    /** Bytes of an unfinished answer or frame, kept until the rest is read; null if none. */
    byte[] leftover;
    /** Bytes the socket did not take yet; null if none. */
    ByteBuffer unwritten;
    /** Which of the nodes this connection went to. */
    final int node;
    /** Whether the member had a connection before this one and resumes with it. */
    final boolean resuming;
    boolean welcomed;

    CrowdConnection(int index, int node, boolean resuming, SocketChannel channel, long startedNanos) {
        this.index = index;
        this.node = node;
        this.resuming = resuming;
        this.channel = channel;
        this.startedNanos = startedNanos;
    }

    /** The HTTP upgrade request for this room and name, with a fresh random key remembered for the answer. */
    ByteBuffer upgradeRequest(URI room, String name, SplittableRandom random, MessageDigest sha1) {
        byte[] nonce = new byte[16];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) random.nextInt(256);
        }
        String key = Base64.getEncoder().encodeToString(nonce);
        sha1.reset();
        sha1.update(key.getBytes(StandardCharsets.US_ASCII));
        acceptExpected = Base64.getEncoder().encodeToString(sha1.digest(ACCEPT_GUID));
        String query = room.getRawQuery() == null ? "?" : "?" + room.getRawQuery() + "&";
        String request = "GET " + room.getRawPath() + query + "name=" + name + " HTTP/1.1\r\n"
                + "Host: " + room.getAuthority() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        return ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    }

    static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /**
     * Reads the upgrade answer from {@code array[from..to)}: where the frames after it begin, or -1
     * if it is not complete yet (then kept in {@link #leftover}).
     *
     * @throws Refusal if it is not a 101 with the accept this connection's key calls for
     */
    int upgrade(byte[] array, int from, int to) throws Refusal {
        int end = indexOf(array, from, to, HEAD_END);
        if (end < 0) {
            if (to - from > MAX_RESPONSE) {
                throw new Refusal("oversized_answer");
            }
            keep(array, from, to);
            return -1;
        }
        String head = new String(array, from, end - from, StandardCharsets.ISO_8859_1);
        String status = head.length() >= 12 ? head.substring(9, 12) : "garbled";
        if (!head.startsWith("HTTP/1.1 ") || !status.equals("101")) {
            throw new Refusal("status_" + status);
        }
        String lower = head.toLowerCase(Locale.ROOT);
        int accept = lower.indexOf("\r\nsec-websocket-accept:");
        if (accept < 0) {
            throw new Refusal("no_accept");
        }
        int valueFrom = accept + "\r\nsec-websocket-accept:".length();
        int valueTo = head.indexOf("\r\n", valueFrom);
        if (!head.substring(valueFrom, valueTo < 0 ? head.length() : valueTo).strip().equals(acceptExpected)) {
            throw new Refusal("wrong_accept");
        }
        acceptExpected = null;
        return end + HEAD_END.length;
    }

    /**
     * Hands every complete server frame in {@code array[from..to)} to {@code frames} and keeps the
     * rest in {@link #leftover}: the length the unfinished frame needs in all, or 0 if none is.
     *
     * @throws Refusal on a masked server frame, which RFC 6455 forbids
     */
    int frames(byte[] array, int from, int to, Frames frames, long nanos) throws Refusal {
        int at = from;
        int needed = 0;
        while (to - at >= 2) {
            int first = array[at] & 0xff;
            int second = array[at + 1] & 0xff;
            if ((second & 0x80) != 0) {
                throw new Refusal("masked_server_frame");
            }
            long length = second & 0x7f;
            int head = 2;
            if (length == 126) {
                if (to - at < 4) {
                    break;
                }
                length = (array[at + 2] & 0xff) << 8 | array[at + 3] & 0xff;
                head = 4;
            } else if (length == 127) {
                if (to - at < 10) {
                    break;
                }
                length = 0;
                for (int i = 2; i < 10; i++) {
                    length = length << 8 | array[at + i] & 0xff;
                }
                head = 10;
            }
            if (length > Integer.MAX_VALUE - head) {
                throw new Refusal("oversized_frame");
            }
            if (to - at < head + length) {
                needed = head + (int) length;
                break;
            }
            int payload = at + head;
            int end = payload + (int) length;
            switch (first & 0x0f) {
                case TEXT -> frames.text(this, array, payload, end, nanos);
                case PING -> frames.ping(this, array, payload, end);
                case CLOSE -> frames.close(this, length >= 2 ? (array[payload] & 0xff) << 8 | array[payload + 1] & 0xff : 1005);
                default -> {
                    // Continuations (the server sends each event whole), pongs, binary: nothing to count.
                }
            }
            at = end;
        }
        keep(array, at, to);
        return at < to ? Math.max(needed, to - at) : 0;
    }

    private void keep(byte[] array, int from, int to) {
        leftover = from < to ? Arrays.copyOfRange(array, from, to) : null;
    }

    /** A masked client frame of this opcode and payload (at most 65,535 bytes: a client here sends small ones). */
    static ByteBuffer frame(int opcode, byte[] payload, int from, int to, SplittableRandom random) {
        int length = to - from;
        int head = length < 126 ? 2 : 4;
        ByteBuffer frame = ByteBuffer.allocate(head + 4 + length);
        frame.put((byte) (0x80 | opcode));
        if (length < 126) {
            frame.put((byte) (0x80 | length));
        } else {
            frame.put((byte) (0x80 | 126)).putShort((short) length);
        }
        byte[] mask = new byte[4];
        int bits = random.nextInt();
        for (int i = 0; i < 4; i++) {
            mask[i] = (byte) (bits >>> (8 * i));
        }
        frame.put(mask);
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[from + i] ^ mask[i & 3]));
        }
        return frame.flip();
    }

    /** A close frame with this status code. */
    static ByteBuffer closeFrame(int code, SplittableRandom random) {
        return frame(CLOSE, new byte[] {(byte) (code >> 8), (byte) code}, 0, 2, random);
    }

    /** Where {@code pattern} first starts in {@code array[from..to)}, or -1. */
    static int indexOf(byte[] array, int from, int to, byte[] pattern) {
        outer:
        for (int i = from; i <= to - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (array[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The decimal number that starts at {@code at} (digits only), or -1 if none does. */
    static long number(byte[] array, int at, int to) {
        long value = -1;
        for (int i = at; i < to && array[i] >= '0' && array[i] <= '9'; i++) {
            value = (value < 0 ? 0 : value * 10) + (array[i] - '0');
        }
        return value;
    }
}
