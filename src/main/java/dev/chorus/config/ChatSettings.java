package dev.chorus.config;

import java.util.function.Function;

/**
 * What the chat takes from configuration, one record per concern; {@link ChatConfiguration}
 * reads it, and the README explains each default.
 */
public record ChatSettings(History history, Inbound inbound, Outbound outbound, Liveness liveness, Limits limits,
        Access access, Cluster cluster) {

    /** Every setting at its documented default (see {@link Setting}). */
    public static final ChatSettings DEFAULTS = of(Setting::defaultValue);

    /** The settings with each value as {@code values} gives it, typed as its {@link Setting} says. */
    static ChatSettings of(Function<Setting, Object> values) {
        return new ChatSettings(
                new History((Integer) values.apply(Setting.HISTORY_SIZE), (Integer) values.apply(Setting.RETAINED_ROOMS),
                        (Long) values.apply(Setting.HISTORY_MAX_CHARS), (Long) values.apply(Setting.HISTORY_TOTAL_MAX_CHARS)),
                new Inbound((Integer) values.apply(Setting.MAX_MESSAGE_BYTES), (Double) values.apply(Setting.MESSAGES_PER_SECOND),
                        (Integer) values.apply(Setting.BURST), (Integer) values.apply(Setting.STRIKES)),
                new Outbound((Integer) values.apply(Setting.OUTBOX_MAX_MESSAGES), (Long) values.apply(Setting.OUTBOX_MAX_CHARS),
                        (Integer) values.apply(Setting.SEND_TIMEOUT_SECONDS), (Integer) values.apply(Setting.SEND_LANES),
                        (Integer) values.apply(Setting.BATCH_DELAY_MS), (Long) values.apply(Setting.OUTBOX_TOTAL_MAX_CHARS)),
                new Liveness((Integer) values.apply(Setting.HEARTBEAT_SECONDS), (Integer) values.apply(Setting.SILENCE_SECONDS)),
                new Limits((Integer) values.apply(Setting.MAX_CONNECTIONS),
                        (Integer) values.apply(Setting.MAX_CONNECTIONS_PER_ADDRESS), (Integer) values.apply(Setting.MAX_ROOMS),
                        (Integer) values.apply(Setting.NEW_ROOMS_PER_MINUTE)),
                new Access((Boolean) values.apply(Setting.SIGN_IN_REQUIRED)),
                new Cluster((String) values.apply(Setting.CLUSTER_REDIS_URI),
                        (Integer) values.apply(Setting.CLUSTER_NODE_TTL_SECONDS),
                        (Integer) values.apply(Setting.CLUSTER_EMPTY_ROOM_TTL_SECONDS)));
    }

    /**
     * @param size messages each room keeps for newcomers and resuming clients
     * @param retainedRooms emptied rooms whose history (and numbering) is kept for when someone comes back
     * @param maxChars characters of message frames one room's history keeps at most (bounds every welcome)
     * @param totalMaxChars characters of message frames all histories together keep at most
     */
    public record History(int size, int retainedRooms, long maxChars, long totalMaxChars) {
        public History {
            require(size >= 0, "chorus.history.size must be 0 or more, was " + size);
            require(retainedRooms >= 0, "chorus.history.retained-rooms must be 0 or more, was " + retainedRooms);
            require(maxChars >= 1 && totalMaxChars >= maxChars, "chorus.history.max-chars must be 1 or more and"
                    + " chorus.history.total-max-chars at least as much; were " + maxChars + ", " + totalMaxChars);
        }
    }

    /**
     * @param maxMessageBytes the largest text message a client may send; larger ones close with 1009
     * @param messagesPerSecond the steady rate a client may send at
     * @param burst how many messages a client may send at once before the rate applies
     * @param strikes how many messages in a row may be refused for rate before the connection closes with 1008
     */
    public record Inbound(int maxMessageBytes, double messagesPerSecond, int burst, int strikes) {
        public Inbound {
            require(maxMessageBytes >= 1, "chorus.message.max-bytes must be 1 or more, was " + maxMessageBytes);
            require(messagesPerSecond > 0 && burst >= 1 && strikes >= 1, "chorus.rate.messages-per-second must be"
                    + " above 0, chorus.rate.burst and chorus.rate.strikes 1 or more; were " + messagesPerSecond + ", "
                    + burst + ", " + strikes);
        }
    }

    /**
     * @param maxMessages frames a connection may have waiting to be sent before it is dropped as too slow (1013)
     * @param maxChars characters of frames a connection may have waiting before it is dropped as too slow
     * @param sendTimeoutSeconds how long one send may stay unfinished before the connection is dropped
     *        as too slow, and then how long its close may wait for that send before the socket is closed anyway
     * @param sendLanes threads that write to connections whose container writes on the caller's
     *        thread (Tyrus, on Payara); 0: one per core, two at least
     * @param batchDelayMillis how long events for a client that takes batches ({@code ?batch=1}) may
     *        wait to go out together, in one write; 0: as soon as they are queued
     * @param totalMaxChars characters all of the node's connections may have waiting together (0: a
     *        quarter of the heap); past it the largest queue is dropped (1013)
     */
    public record Outbound(int maxMessages, long maxChars, int sendTimeoutSeconds, int sendLanes, int batchDelayMillis,
            long totalMaxChars) {
        public Outbound {
            require(maxMessages >= 1 && maxChars >= 1, "chorus.outbox.max-messages and chorus.outbox.max-chars must be"
                    + " 1 or more, were " + maxMessages + ", " + maxChars);
            require(sendTimeoutSeconds >= 1, "chorus.outbox.send-timeout-seconds must be 1 or more, was "
                    + sendTimeoutSeconds);
            require(sendLanes >= 0, "chorus.outbox.send-lanes must be 0 (one per core) or more, was " + sendLanes);
            require(batchDelayMillis >= 0 && batchDelayMillis <= 1000, "chorus.outbox.batch-delay-ms must be 0 (none)"
                    + " to 1000, was " + batchDelayMillis);
            require(totalMaxChars >= 0, "chorus.outbox.total-max-chars must be 0 (a quarter of the heap) or more, was "
                    + totalMaxChars);
        }

        /** Bounds and timeout as given, send lanes and the batch delay at their defaults. */
        public Outbound(int maxMessages, long maxChars, int sendTimeoutSeconds) {
            this(maxMessages, maxChars, sendTimeoutSeconds, 0);
        }

        /** Bounds, timeout and send lanes as given, the batch delay and the node's total at their defaults. */
        public Outbound(int maxMessages, long maxChars, int sendTimeoutSeconds, int sendLanes) {
            this(maxMessages, maxChars, sendTimeoutSeconds, sendLanes,
                    (Integer) Setting.BATCH_DELAY_MS.defaultValue());
        }

        /** All but the node's total as given, that at its default. */
        public Outbound(int maxMessages, long maxChars, int sendTimeoutSeconds, int sendLanes, int batchDelayMillis) {
            this(maxMessages, maxChars, sendTimeoutSeconds, sendLanes, batchDelayMillis,
                    (Long) Setting.OUTBOX_TOTAL_MAX_CHARS.defaultValue());
        }
    }

    /**
     * @param heartbeatSeconds how often the server pings every connection
     * @param silenceSeconds how long a connection may go without a message or a pong before it is dropped
     */
    public record Liveness(int heartbeatSeconds, int silenceSeconds) {
        public Liveness {
            require(heartbeatSeconds >= 1 && silenceSeconds > heartbeatSeconds, "chorus.heartbeat.seconds must be 1"
                    + " or more and chorus.heartbeat.silence-seconds longer, or every client would be dropped between"
                    + " two pings; were " + heartbeatSeconds + ", " + silenceSeconds);
        }
    }

    /**
     * @param maxConnections connections this node holds at most; more are refused with 1013
     * @param maxConnectionsPerAddress connections one remote address may hold at most (0: no limit);
     *        more are refused at the handshake with 429
     * @param maxRooms rooms this node holds at most
     * @param newRoomsPerMinute rooms new to this node it opens per minute at most, in bursts of as
     *        many (0: no limit): clustered, each room a client names stays in Redis after it empties
     */
    public record Limits(int maxConnections, int maxConnectionsPerAddress, int maxRooms, int newRoomsPerMinute) {

        /** Limits without a bound on new rooms per minute. */
        public Limits(int maxConnections, int maxConnectionsPerAddress, int maxRooms) {
            this(maxConnections, maxConnectionsPerAddress, maxRooms, 0);
        }

        public Limits {
            require(newRoomsPerMinute >= 0, "chorus.limits.new-rooms-per-minute must be 0 (no limit) or more, was "
                    + newRoomsPerMinute);
            require(maxRooms >= 1, "chorus.limits.max-rooms must be 1 or more, was " + maxRooms);
            require(maxConnections >= 1, "chorus.limits.max-connections must be 1 or more, was " + maxConnections);
            require(maxConnectionsPerAddress >= 0, "chorus.limits.max-connections-per-address must be 0 (no limit)"
                    + " or more, was " + maxConnectionsPerAddress);
        }
    }

    /**
     * @param signInRequired whether only clients the container authenticated may join; the others
     *        are refused with 1008 even where no security constraint made the container ask
     */
    public record Access(boolean signInRequired) {
    }

    /**
     * @param redisUri the Redis every node of the cluster shares ({@code redis://host:6379/0},
     *        {@code rediss://} for TLS, credentials in the URI); blank: this node is on its own
     * @param nodeTtlSeconds how long a node's members outlive it in Redis: a node that dies
     *        without a word has its members leave within this and one more sweep
     * @param emptyRoomTtlSeconds how long Redis keeps the log and numbering of a room whose last
     *        member left (a member who comes back sooner resumes exactly; later, a gap with reset)
     */
    public record Cluster(String redisUri, int nodeTtlSeconds, int emptyRoomTtlSeconds) {
        public Cluster {
            redisUri = redisUri == null ? "" : redisUri.strip();
            require(nodeTtlSeconds >= 2, "chorus.cluster.node-ttl-seconds must be 2 or more, was " + nodeTtlSeconds);
            require(emptyRoomTtlSeconds >= 1,
                    "chorus.cluster.empty-room-ttl-seconds must be 1 or more, was " + emptyRoomTtlSeconds);
        }

        /** Whether this node shares its rooms with others through Redis. */
        public boolean enabled() {
            return !redisUri.isEmpty();
        }
    }

    private static void require(boolean valid, String otherwise) {
        if (!valid) {
            throw new IllegalArgumentException(otherwise);
        }
    }
}
