package dev.chorus.config;

/**
 * Every setting, named once: its key, its type and its default. The README's configuration table
 * explains each; {@link ChatConfiguration} reads them all through MicroProfile Config, and
 * {@link ChatSettings#DEFAULTS} is these defaults.
 */
public enum Setting {
    HISTORY_SIZE("chorus.history.size", Integer.class, "100"),
    RETAINED_ROOMS("chorus.history.retained-rooms", Integer.class, "1000"),
    HISTORY_MAX_CHARS("chorus.history.max-chars", Long.class, "262144"),
    HISTORY_TOTAL_MAX_CHARS("chorus.history.total-max-chars", Long.class, "67108864"),
    MAX_MESSAGE_BYTES("chorus.message.max-bytes", Integer.class, "65536"),
    MESSAGES_PER_SECOND("chorus.rate.messages-per-second", Double.class, "20"),
    BURST("chorus.rate.burst", Integer.class, "40"),
    STRIKES("chorus.rate.strikes", Integer.class, "10"),
    OUTBOX_MAX_MESSAGES("chorus.outbox.max-messages", Integer.class, "1024"),
    OUTBOX_MAX_CHARS("chorus.outbox.max-chars", Long.class, "1048576"),
    /** Characters queued in all outboxes of the node together; 0 (the default): a quarter of the maximum heap. */
    OUTBOX_TOTAL_MAX_CHARS("chorus.outbox.total-max-chars", Long.class, "0"),
    SEND_TIMEOUT_SECONDS("chorus.outbox.send-timeout-seconds", Integer.class, "10"),
    /** Threads that write to Tyrus (Payara) connections; 0 (the default): one per core, two at least. */
    SEND_LANES("chorus.outbox.send-lanes", Integer.class, "0"),
    /** How long events for a client that takes batches may wait to go out together; 0: at once. */
    BATCH_DELAY_MS("chorus.outbox.batch-delay-ms", Integer.class, "2"),
    HEARTBEAT_SECONDS("chorus.heartbeat.seconds", Integer.class, "25"),
    SILENCE_SECONDS("chorus.heartbeat.silence-seconds", Integer.class, "60"),
    MAX_CONNECTIONS("chorus.limits.max-connections", Integer.class, "10000"),
    /** Rooms one node holds at most: a client may name any room, and each costs memory here (and in Redis, clustered). */
    MAX_ROOMS("chorus.limits.max-rooms", Integer.class, "10000"),
    NEW_ROOMS_PER_MINUTE("chorus.limits.new-rooms-per-minute", Integer.class, "600"),
    MAX_CONNECTIONS_PER_ADDRESS("chorus.limits.max-connections-per-address", Integer.class, "256"),
    /** Handshakes one address (IPv6: one /64) may make per second, twice as many at once; 0: no limit. */
    HANDSHAKES_PER_SECOND_PER_ADDRESS("chorus.limits.handshakes-per-second-per-address", Double.class, "50"),
    /** Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed; none by default. */
    TRUSTED_PROXIES("chorus.limits.trusted-proxies", String.class, ""),
    SIGN_IN_REQUIRED("chorus.auth.required", Boolean.class, "false"),
    /** Comma-separated origins allowed besides the server's own; none by default. */
    ORIGINS("chorus.origins", String.class, ""),
    ALLOW_MISSING_ORIGIN("chorus.origins.allow-missing", Boolean.class, "true"),
    /** Whether the operator endpoints under {@code /api/rooms/...} and {@code /api/settings} answer. */
    ADMIN_ENABLED("chorus.admin.enabled", Boolean.class, "false"),
    /** The bearer token a backend outside the container's realm publishes with over HTTP; empty (the default): none. */
    API_TOKEN("chorus.api.token", String.class, ""),
    /** Messages this node takes per second from the publish API, whoever publishes (HTTP or a bean of the deployment). */
    API_PUBLISHES_PER_SECOND("chorus.api.publishes-per-second", Double.class, "100"),
    /** Where room events are POSTed as JSON for a backend outside the JVM; empty (the default): no webhook. */
    WEBHOOK_URL("chorus.webhook.url", String.class, ""),
    /** The key of the webhook's HMAC-SHA256 signature; empty: deliveries are not signed. */
    WEBHOOK_SECRET("chorus.webhook.secret", String.class, ""),
    /** Events waiting for the webhook at most; past that, new ones are dropped and counted. */
    WEBHOOK_QUEUE("chorus.webhook.queue", Integer.class, "10000"),
    /** Tries per event, the first included, before it is dropped and counted. */
    WEBHOOK_ATTEMPTS("chorus.webhook.attempts", Integer.class, "6"),
    WEBHOOK_TIMEOUT_MS("chorus.webhook.timeout-ms", Integer.class, "5000"),
    /** Where joins and messages are asked about over HTTP when no policy bean is deployed; empty (the default): none. */
    POLICY_URL("chorus.policy.url", String.class, ""),
    POLICY_TIMEOUT_MS("chorus.policy.timeout-ms", Integer.class, "1000"),
    /** Whether a policy backend that is slow, down or answers nonsense allows (true) or refuses (false, the default). */
    POLICY_FAIL_OPEN("chorus.policy.fail-open", Boolean.class, "false"),
    /** The Redis that nodes serving one set of rooms share; empty (the default): a single node that never touches Redis. */
    CLUSTER_REDIS_URI("chorus.cluster.redis-uri", String.class, ""),
    CLUSTER_NODE_TTL_SECONDS("chorus.cluster.node-ttl-seconds", Integer.class, "10"),
    /** How long Redis keeps the log and numbering of a room nobody is in any more: a day. */
    CLUSTER_EMPTY_ROOM_TTL_SECONDS("chorus.cluster.empty-room-ttl-seconds", Integer.class, "86400");

    private final String key;
    private final Class<?> type;
    private final String defaultValue;

    Setting(String key, Class<?> type, String defaultValue) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    Class<?> type() {
        return type;
    }

    /** The default, as the type this setting is read as. */
    Object defaultValue() {
        return parse(defaultValue);
    }

    /** A value as MicroProfile Config's built-in converters would read it. */
    private Object parse(String value) {
        if (type == Integer.class) {
            return Integer.valueOf(value);
        } else if (type == Long.class) {
            return Long.valueOf(value);
        } else if (type == Double.class) {
            return Double.valueOf(value);
        } else if (type == Boolean.class) {
            return Boolean.valueOf(value);
        }
        return value;
    }
}
