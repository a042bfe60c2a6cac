package dev.chorus.config;

/**
 * What the chat takes from configuration; {@link ChatConfiguration} reads it.
 *
 * @param historySize messages each room keeps for newcomers and resuming clients
 * @param retainedRooms emptied rooms whose history (and numbering) is kept for when someone comes back
 */
public record ChatSettings(int historySize, int retainedRooms) {

    public static final ChatSettings DEFAULTS = new ChatSettings(100, 1000);

    public ChatSettings {
        if (historySize < 0) {
            throw new IllegalArgumentException("chorus.history.size must be 0 or more, was " + historySize);
        }
        if (retainedRooms < 0) {
            throw new IllegalArgumentException("chorus.history.retained-rooms must be 0 or more, was " + retainedRooms);
        }
    }
}
