package dev.chorus.room;

/**
 * The parts of one client's message as the container hands them over, counted in UTF-8 bytes as
 * they come, so that an oversized message is caught before it is held whole. The container
 * delivers one session's parts one at a time, in order; a member's parts come only from its
 * session, so this needs no lock.
 */
public final class InboundText {

    /** What {@link #append} returns for a message past the limit; compared by identity. */
    public static final String TOO_BIG = new String("too big");

    private final StringBuilder parts = new StringBuilder();
    private long bytes;

    /**
     * Adds a part. Returns the whole message when this was its last part, {@link #TOO_BIG} once it
     * has grown past {@code maxBytes} (the parts are dropped), or null while more is to come.
     */
    public String append(String part, boolean last, int maxBytes) {
        bytes += utf8Length(part);
        if (bytes > maxBytes) {
            reset();
            return TOO_BIG;
        }
        if (last && parts.isEmpty()) {
            bytes = 0;
            return part;
        }
        parts.append(part);
        if (!last) {
            return null;
        }
        String whole = parts.toString();
        reset();
        return whole;
    }

    private void reset() {
        parts.setLength(0);
        parts.trimToSize();
        bytes = 0;
    }

    /** UTF-8 length without encoding: a surrogate pair is 4 bytes, so each of its halves counts 2. */
    public static long utf8Length(CharSequence text) {
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            length += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return length;
    }
}
