package dev.chorus.container;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Text frames (RFC 6455, 5.2: final, unmasked) built once and shared by every receiver of the
 * same events, whichever thread writes them. A broadcast hands every member the one String per
 * event, and in a busy room most members' backlogs hold the same run of those Strings, so the
 * frame of an event, of a run of events and of a batch of them as lines are each built once and
 * written from the same array to every member whose backlog matches, where building per receiver
 * cost a copy and an encoding each.
 * <p>
 * Kept in a small table shared by all threads, by the identity of the Strings: one entry per
 * slot, replaced when another frame hashes there; an entry is immutable, so a thread that reads
 * a slot while another replaces it sees either whole entry. Frames larger than
 * {@link #LARGEST_KEPT} bytes are built every time, which bounds what the table holds. JDK types
 * only reach outside this class, and no thread-local holds anything, so a container thread that
 * outlives the application keeps none of it.
 */
final class SharedFrames {

    private static final byte FIN_TEXT = (byte) 0x81;
    /** Slots in the table; a power of two. */
    private static final int SLOTS = 128;
    /** The largest frame (bytes) or String (chars) kept: a whole run under the outbox's 64 KiB cap; at most 16 MiB in all. */
    static final int LARGEST_KEPT = 65_536 + 10;

    /** What is built from a run of texts: each its own frame, one frame of lines, or the lines as a String. */
    private enum Kind { FRAMES, LINES, JOINED }

    /** What a slot keeps: what was built of {@code kind} from {@code texts} (a byte[] frame or a String). */
    private record Built(String[] texts, Kind kind, Object value, int size) { }

    private static final Built[] BUILT = new Built[SLOTS];

    private SharedFrames() {
    }

    /** The frame holding {@code text}; the same array for as long as the same String comes again and keeps its slot. */
    static byte[] frame(String text) {
        int slot = slot(text, text, 1, Kind.FRAMES);
        Built kept = BUILT[slot];
        if (kept != null && kept.kind == Kind.FRAMES && kept.texts.length == 1 && kept.texts[0] == text) {
            return (byte[]) kept.value;
        }
        byte[] frame = frame(text.getBytes(StandardCharsets.UTF_8));
        keep(slot, new Built(new String[] {text}, Kind.FRAMES, frame, frame.length));
        return frame;
    }

    /** The texts, each as its own frame, one after the other: a backlog for one write. */
    static byte[] run(List<String> texts) {
        return texts.size() == 1 ? frame(texts.get(0)) : (byte[]) built(texts, Kind.FRAMES);
    }

    /**
     * One frame holding the texts one per line, for a client that takes batches. JSON as
     * {@code protocol.ServerEvents} writes it never holds a raw line break, so lines split events.
     */
    static byte[] lines(List<String> texts) {
        return (byte[]) built(texts, Kind.LINES);
    }

    /** As {@link #lines}, for containers that take a String: joined once for all whose backlog matches. */
    static String joined(List<String> texts) {
        return texts.size() == 1 ? texts.get(0) : (String) built(texts, Kind.JOINED);
    }

    private static Object built(List<String> texts, Kind kind) {
        int slot = slot(texts.get(0), texts.get(texts.size() - 1), texts.size(), kind);
        Built kept = BUILT[slot];
        if (kept != null && kept.kind == kind && sameStrings(kept.texts, texts)) {
            return kept.value;
        }
        String[] key = texts.toArray(new String[0]);
        Built built = switch (kind) {
            case FRAMES -> withSize(key, kind, concatenate(key));
            case LINES -> withSize(key, kind, joinLines(key));
            case JOINED -> {
                String joined = String.join("\n", key);
                yield new Built(key, kind, joined, joined.length());
            }
        };
        keep(slot, built);
        return built.value;
    }

    private static Built withSize(String[] texts, Kind kind, byte[] frame) {
        return new Built(texts, kind, frame, frame.length);
    }

    private static boolean sameStrings(String[] kept, List<String> texts) {
        if (kept.length != texts.size()) {
            return false;
        }
        for (int i = 0; i < kept.length; i++) {
            // By identity: the same event is the same String; reading contents would cost what building does.
            if (kept[i] != texts.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The texts' frames, one after the other; each from its own slot where it has one. */
    private static byte[] concatenate(String[] texts) {
        byte[][] each = new byte[texts.length][];
        int length = 0;
        for (int i = 0; i < texts.length; i++) {
            each[i] = frame(texts[i]);
            length += each[i].length;
        }
        byte[] run = new byte[length];
        int at = 0;
        for (byte[] frame : each) {
            System.arraycopy(frame, 0, run, at, frame.length);
            at += frame.length;
        }
        return run;
    }

    /** One frame of the texts' UTF-8 bytes with a line feed between two, taken from their own frames. */
    private static byte[] joinLines(String[] texts) {
        byte[][] each = new byte[texts.length][];
        int length = texts.length - 1;
        for (int i = 0; i < texts.length; i++) {
            each[i] = frame(texts[i]);
            length += each[i].length - headerLength(each[i]);
        }
        byte[] frame = new byte[headerLength(length) + length];
        int at = writeHeader(frame, length);
        for (int i = 0; i < each.length; i++) {
            if (i > 0) {
                frame[at++] = '\n';
            }
            int header = headerLength(each[i]);
            System.arraycopy(each[i], header, frame, at, each[i].length - header);
            at += each[i].length - header;
        }
        return frame;
    }

    private static void keep(int slot, Built built) {
        if (built.size <= LARGEST_KEPT) {
            BUILT[slot] = built;
        }
    }

    private static int slot(String first, String last, int count, Kind kind) {
        int hash = System.identityHashCode(first) * 31 + System.identityHashCode(last) + count + 17 * kind.ordinal();
        return (hash ^ hash >>> 16) & SLOTS - 1;
    }

    /** A frame holding the payload. */
    private static byte[] frame(byte[] payload) {
        byte[] frame = new byte[headerLength(payload.length) + payload.length];
        int header = writeHeader(frame, payload.length);
        System.arraycopy(payload, 0, frame, header, payload.length);
        return frame;
    }

    private static int headerLength(int payloadLength) {
        return payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    /** The length of the header at the start of a frame this class built. */
    private static int headerLength(byte[] frame) {
        int length7 = frame[1] & 0x7F;
        return length7 <= 125 ? 2 : length7 == 126 ? 4 : 10;
    }

    /** Writes the header for a payload of {@code length} bytes at the start of {@code frame}; returns its length. */
    private static int writeHeader(byte[] frame, int length) {
        frame[0] = FIN_TEXT;
        if (length <= 125) {
            frame[1] = (byte) length;
            return 2;
        }
        if (length <= 0xFFFF) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
            return 4;
        }
        frame[1] = 127;
        for (int i = 0; i < 8; i++) {
            frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
        }
        return 10;
    }
}
