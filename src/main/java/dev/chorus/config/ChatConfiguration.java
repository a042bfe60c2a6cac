package dev.chorus.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads Chorus' settings through MicroProfile Config: system properties, environment variables
 * ({@code CHORUS_HISTORY_SIZE}) or {@code META-INF/microprofile-config.properties}.
 */
@ApplicationScoped
public class ChatConfiguration {

    static final String HISTORY_SIZE = "chorus.history.size";
    static final String RETAINED_ROOMS = "chorus.history.retained-rooms";
    static final String HISTORY_MAX_CHARS = "chorus.history.max-chars";
    static final String HISTORY_TOTAL_MAX_CHARS = "chorus.history.total-max-chars";
    static final String MAX_MESSAGE_BYTES = "chorus.message.max-bytes";
    static final String MESSAGES_PER_SECOND = "chorus.rate.messages-per-second";
    static final String BURST = "chorus.rate.burst";
    static final String STRIKES = "chorus.rate.strikes";
    static final String OUTBOX_MAX_MESSAGES = "chorus.outbox.max-messages";
    static final String OUTBOX_MAX_CHARS = "chorus.outbox.max-chars";
    static final String SEND_TIMEOUT_SECONDS = "chorus.outbox.send-timeout-seconds";
    static final String HEARTBEAT_SECONDS = "chorus.heartbeat.seconds";
    static final String SILENCE_SECONDS = "chorus.heartbeat.silence-seconds";
    static final String MAX_CONNECTIONS = "chorus.limits.max-connections";
    static final String MAX_CONNECTIONS_PER_ADDRESS = "chorus.limits.max-connections-per-address";
    static final String TRUSTED_PROXIES = "chorus.limits.trusted-proxies";
    static final String SIGN_IN_REQUIRED = "chorus.auth.required";
    static final String ORIGINS = "chorus.origins";
    static final String ALLOW_MISSING_ORIGIN = "chorus.origins.allow-missing";
    static final String ADMIN_ENABLED = "chorus.admin.enabled";

    @Inject
    @ConfigProperty(name = HISTORY_SIZE, defaultValue = "100")
    int historySize;

    @Inject
    @ConfigProperty(name = RETAINED_ROOMS, defaultValue = "1000")
    int retainedRooms;

    @Inject
    @ConfigProperty(name = HISTORY_MAX_CHARS, defaultValue = "262144")
    long historyMaxChars;

    @Inject
    @ConfigProperty(name = HISTORY_TOTAL_MAX_CHARS, defaultValue = "67108864")
    long historyTotalMaxChars;

    @Inject
    @ConfigProperty(name = MAX_MESSAGE_BYTES, defaultValue = "65536")
    int maxMessageBytes;

    @Inject
    @ConfigProperty(name = MESSAGES_PER_SECOND, defaultValue = "20")
    double messagesPerSecond;

    @Inject
    @ConfigProperty(name = BURST, defaultValue = "40")
    int burst;

    @Inject
    @ConfigProperty(name = STRIKES, defaultValue = "10")
    int strikes;

    @Inject
    @ConfigProperty(name = OUTBOX_MAX_MESSAGES, defaultValue = "1024")
    int outboxMaxMessages;

    @Inject
    @ConfigProperty(name = OUTBOX_MAX_CHARS, defaultValue = "1048576")
    long outboxMaxChars;

    @Inject
    @ConfigProperty(name = SEND_TIMEOUT_SECONDS, defaultValue = "10")
    int sendTimeoutSeconds;

    @Inject
    @ConfigProperty(name = HEARTBEAT_SECONDS, defaultValue = "25")
    int heartbeatSeconds;

    @Inject
    @ConfigProperty(name = SILENCE_SECONDS, defaultValue = "60")
    int silenceSeconds;

    @Inject
    @ConfigProperty(name = MAX_CONNECTIONS, defaultValue = "10000")
    int maxConnections;

    @Inject
    @ConfigProperty(name = MAX_CONNECTIONS_PER_ADDRESS, defaultValue = "256")
    int maxConnectionsPerAddress;

    /** Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed; none by default. */
    @Inject
    @ConfigProperty(name = TRUSTED_PROXIES)
    Optional<String> trustedProxies;

    @Inject
    @ConfigProperty(name = SIGN_IN_REQUIRED, defaultValue = "false")
    boolean signInRequired;

    /** Comma-separated origins allowed besides the server's own; none by default. */
    @Inject
    @ConfigProperty(name = ORIGINS)
    Optional<String> origins;

    @Inject
    @ConfigProperty(name = ALLOW_MISSING_ORIGIN, defaultValue = "true")
    boolean allowMissingOrigin;

    /** Whether the operator endpoints under {@code /api/rooms/...} and {@code /api/settings} answer. Off by default. */
    @Inject
    @ConfigProperty(name = ADMIN_ENABLED, defaultValue = "false")
    boolean adminEnabled;

    @Produces
    ChatSettings chatSettings() {
        return new ChatSettings(
                new ChatSettings.History(historySize, retainedRooms, historyMaxChars, historyTotalMaxChars),
                new ChatSettings.Inbound(maxMessageBytes, messagesPerSecond, burst, strikes),
                new ChatSettings.Outbound(outboxMaxMessages, outboxMaxChars, sendTimeoutSeconds),
                new ChatSettings.Liveness(heartbeatSeconds, silenceSeconds),
                new ChatSettings.Limits(maxConnections, maxConnectionsPerAddress),
                new ChatSettings.Access(signInRequired));
    }

    /** {@code chorus.origins}: origins allowed besides the server's own, comma-separated. */
    public String origins() {
        return origins.orElse("");
    }

    /** {@code chorus.origins.allow-missing}: whether a handshake without an Origin header may connect. */
    public boolean allowMissingOrigin() {
        return allowMissingOrigin;
    }

    /** {@code chorus.limits.trusted-proxies}: reverse proxies whose X-Forwarded-For is believed. */
    public String trustedProxies() {
        return trustedProxies.orElse("");
    }

    public boolean adminEnabled() {
        return adminEnabled;
    }

    /**
     * Every setting as this deployment sees it, by key, in the README's order: what an operator
     * checks when a value set in the environment or a config file seems to have no effect.
     */
    public Map<String, Object> effective() {
        Map<String, Object> effective = new LinkedHashMap<>();
        effective.put(HISTORY_SIZE, historySize);
        effective.put(RETAINED_ROOMS, retainedRooms);
        effective.put(HISTORY_MAX_CHARS, historyMaxChars);
        effective.put(HISTORY_TOTAL_MAX_CHARS, historyTotalMaxChars);
        effective.put(MAX_MESSAGE_BYTES, maxMessageBytes);
        effective.put(MESSAGES_PER_SECOND, messagesPerSecond);
        effective.put(BURST, burst);
        effective.put(STRIKES, strikes);
        effective.put(OUTBOX_MAX_MESSAGES, outboxMaxMessages);
        effective.put(OUTBOX_MAX_CHARS, outboxMaxChars);
        effective.put(SEND_TIMEOUT_SECONDS, sendTimeoutSeconds);
        effective.put(HEARTBEAT_SECONDS, heartbeatSeconds);
        effective.put(SILENCE_SECONDS, silenceSeconds);
        effective.put(MAX_CONNECTIONS, maxConnections);
        effective.put(MAX_CONNECTIONS_PER_ADDRESS, maxConnectionsPerAddress);
        effective.put(TRUSTED_PROXIES, trustedProxies.orElse(""));
        effective.put(SIGN_IN_REQUIRED, signInRequired);
        effective.put(ORIGINS, origins.orElse(""));
        effective.put(ALLOW_MISSING_ORIGIN, allowMissingOrigin);
        effective.put(ADMIN_ENABLED, adminEnabled);
        return effective;
    }
}
