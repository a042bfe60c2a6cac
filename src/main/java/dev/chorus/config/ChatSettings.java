package dev.chorus.config;

/**
 * What the chat takes from configuration; {@link ChatConfiguration} reads it, and the README
 * explains each default.
 *
 * @param historySize messages each room keeps for newcomers and resuming clients
 * @param retainedRooms emptied rooms whose history (and numbering) is kept for when someone comes back
 * @param maxMessageBytes the largest text message a client may send; larger ones close with 1009
 * @param messagesPerSecond the steady rate a client may send at
 * @param burst how many messages a client may send at once before the rate applies
 * @param strikes how many messages in a row may be refused for rate before the connection closes with 1008
 * @param outboxMaxMessages frames a connection may have waiting to be sent before it is dropped as too slow (1013)
 * @param outboxMaxChars characters of frames a connection may have waiting before it is dropped as too slow
 * @param heartbeatSeconds how often the server pings every connection
 * @param silenceSeconds how long a connection may go without a message or a pong before it is dropped
 * @param maxConnections connections this node holds at most; more are refused with 1013
 */
public record ChatSettings(int historySize, int retainedRooms, int maxMessageBytes,
        double messagesPerSecond, int burst, int strikes, int outboxMaxMessages, long outboxMaxChars,
        int heartbeatSeconds, int silenceSeconds, int maxConnections) {

    public static final ChatSettings DEFAULTS =
            new ChatSettings(100, 1000, 65_536, 20, 40, 10, 1024, 1_048_576, 25, 60, 10_000);

    /** The defaults with another history size and retention, for tests of history. */
    public static ChatSettings withHistory(int historySize, int retainedRooms) {
        return new ChatSettings(historySize, retainedRooms, DEFAULTS.maxMessageBytes, DEFAULTS.messagesPerSecond,
                DEFAULTS.burst, DEFAULTS.strikes, DEFAULTS.outboxMaxMessages, DEFAULTS.outboxMaxChars,
                DEFAULTS.heartbeatSeconds, DEFAULTS.silenceSeconds, DEFAULTS.maxConnections);
    }

    public ChatSettings {
        if (historySize < 0) {
            throw new IllegalArgumentException("chorus.history.size must be 0 or more, was " + historySize);
        }
        if (retainedRooms < 0) {
            throw new IllegalArgumentException("chorus.history.retained-rooms must be 0 or more, was " + retainedRooms);
        }
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("chorus.message.max-bytes must be 1 or more, was " + maxMessageBytes);
        }
        if (!(messagesPerSecond > 0) || burst < 1 || strikes < 1) {
            throw new IllegalArgumentException("chorus.rate.messages-per-second must be above 0, chorus.rate.burst and"
                    + " chorus.rate.strikes 1 or more; were " + messagesPerSecond + ", " + burst + ", " + strikes);
        }
        if (outboxMaxMessages < 1 || outboxMaxChars < 1) {
            throw new IllegalArgumentException("chorus.outbox.max-messages and chorus.outbox.max-chars must be 1 or more,"
                    + " were " + outboxMaxMessages + ", " + outboxMaxChars);
        }
        if (heartbeatSeconds < 1 || silenceSeconds <= heartbeatSeconds) {
            throw new IllegalArgumentException("chorus.heartbeat.seconds must be 1 or more and chorus.heartbeat.silence-seconds"
                    + " longer, or every client would be dropped between two pings; were " + heartbeatSeconds + ", "
                    + silenceSeconds);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("chorus.limits.max-connections must be 1 or more, was " + maxConnections);
        }
    }
}
