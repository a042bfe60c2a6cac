package dev.chorus.handshake;

import java.util.stream.Stream;

/** How configured lists and list headers are read: comma-separated, entries trimmed, blanks ignored. */
final class CommaSeparated {

    private CommaSeparated() {
    }

    /** The entries of the value, in order; none for null. */
    static Stream<String> entries(String value) {
        return value == null ? Stream.empty()
                : Stream.of(value.split(",")).map(String::strip).filter(entry -> !entry.isEmpty());
    }
}
