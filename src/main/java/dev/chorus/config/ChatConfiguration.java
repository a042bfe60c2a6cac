package dev.chorus.config;

import dev.chorus.handshake.OriginPolicy;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads Chorus' settings through MicroProfile Config: system properties, environment variables
 * ({@code CHORUS_HISTORY_SIZE}) or {@code META-INF/microprofile-config.properties}.
 */
@ApplicationScoped
public class ChatConfiguration {

    @Inject
    @ConfigProperty(name = "chorus.history.size", defaultValue = "100")
    int historySize;

    @Inject
    @ConfigProperty(name = "chorus.history.retained-rooms", defaultValue = "1000")
    int retainedRooms;

    @Inject
    @ConfigProperty(name = "chorus.message.max-bytes", defaultValue = "65536")
    int maxMessageBytes;

    @Inject
    @ConfigProperty(name = "chorus.rate.messages-per-second", defaultValue = "20")
    double messagesPerSecond;

    @Inject
    @ConfigProperty(name = "chorus.rate.burst", defaultValue = "40")
    int burst;

    @Inject
    @ConfigProperty(name = "chorus.rate.strikes", defaultValue = "10")
    int strikes;

    @Inject
    @ConfigProperty(name = "chorus.outbox.max-messages", defaultValue = "1024")
    int outboxMaxMessages;

    @Inject
    @ConfigProperty(name = "chorus.outbox.max-chars", defaultValue = "1048576")
    long outboxMaxChars;

    @Inject
    @ConfigProperty(name = "chorus.outbox.send-timeout-seconds", defaultValue = "10")
    int sendTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "chorus.heartbeat.seconds", defaultValue = "25")
    int heartbeatSeconds;

    @Inject
    @ConfigProperty(name = "chorus.heartbeat.silence-seconds", defaultValue = "60")
    int silenceSeconds;

    @Inject
    @ConfigProperty(name = "chorus.limits.max-connections", defaultValue = "10000")
    int maxConnections;

    @Inject
    @ConfigProperty(name = "chorus.limits.max-connections-per-address", defaultValue = "256")
    int maxConnectionsPerAddress;

    @Inject
    @ConfigProperty(name = "chorus.auth.required", defaultValue = "false")
    boolean signInRequired;

    /** Comma-separated origins allowed besides the server's own; none by default. */
    @Inject
    @ConfigProperty(name = "chorus.origins")
    Optional<String> origins;

    @Inject
    @ConfigProperty(name = "chorus.origins.allow-missing", defaultValue = "true")
    boolean allowMissingOrigin;

    /** Whether the operator endpoints under {@code /api/rooms/.../reconnect} answer. Off by default. */
    @Inject
    @ConfigProperty(name = "chorus.admin.enabled", defaultValue = "false")
    boolean adminEnabled;

    private OriginPolicy originPolicy;

    @Produces
    ChatSettings chatSettings() {
        return new ChatSettings(
                new ChatSettings.History(historySize, retainedRooms),
                new ChatSettings.Inbound(maxMessageBytes, messagesPerSecond, burst, strikes),
                new ChatSettings.Outbound(outboxMaxMessages, outboxMaxChars, sendTimeoutSeconds),
                new ChatSettings.Liveness(heartbeatSeconds, silenceSeconds),
                new ChatSettings.Limits(maxConnections, maxConnectionsPerAddress),
                new ChatSettings.Access(signInRequired));
    }

    /** Which pages may open chat connections: the server's own origin plus {@code chorus.origins}. */
    public OriginPolicy originPolicy() {
        return originPolicy;
    }

    @PostConstruct
    void parse() {
        originPolicy = OriginPolicy.of(origins.orElse(""), allowMissingOrigin);
    }

    public boolean adminEnabled() {
        return adminEnabled;
    }
}
