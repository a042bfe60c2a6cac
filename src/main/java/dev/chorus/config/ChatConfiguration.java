package dev.chorus.config;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Reads every {@link Setting} through MicroProfile Config: system properties, environment
 * variables ({@code CHORUS_HISTORY_SIZE}), the server's config sources or
 * {@code META-INF/microprofile-config.properties}, each falling back to its documented default.
 */
@ApplicationScoped
public class ChatConfiguration {

    private final Map<Setting, Object> values = new EnumMap<>(Setting.class);

    @PostConstruct
    void read() {
        // The config of this deployment, with the WAR's own properties file, whichever thread
        // first uses the bean.
        Config config = ConfigProvider.getConfig(ChatConfiguration.class.getClassLoader());
        for (Setting setting : Setting.values()) {
            Object configured = config.getOptionalValue(setting.key(), setting.type()).orElse(null);
            values.put(setting, configured != null ? configured : setting.defaultValue());
        }
    }

    @Produces
    ChatSettings chatSettings() {
        return ChatSettings.of(this::value);
    }

    private Object value(Setting setting) {
        return values.get(setting);
    }

    /** {@code chorus.origins}: origins allowed besides the server's own, comma-separated. */
    public String origins() {
        return (String) value(Setting.ORIGINS);
    }

    /** {@code chorus.origins.allow-missing}: whether a handshake without an Origin header may connect. */
    public boolean allowMissingOrigin() {
        return (Boolean) value(Setting.ALLOW_MISSING_ORIGIN);
    }

    /** {@code chorus.limits.trusted-proxies}: reverse proxies whose X-Forwarded-For is believed. */
    public String trustedProxies() {
        return (String) value(Setting.TRUSTED_PROXIES);
    }

    /** {@code chorus.api.token}: the bearer token of the publish API; empty when there is none. */
    public String apiToken() {
        return (String) value(Setting.API_TOKEN);
    }

    /** {@code chorus.api.publishes-per-second}: the node's rate for published messages. */
    public double publishesPerSecond() {
        return (Double) value(Setting.API_PUBLISHES_PER_SECOND);
    }

    /** Where room events are POSTed ({@code url} empty: nowhere), signed with {@code secret}, and how hard it is tried. */
    public record WebhookTarget(String url, String secret, int queue, int attempts, Duration timeout) {
    }

    /** Where the room policy is asked over HTTP ({@code url} empty: nowhere), and what a backend that cannot answer means. */
    public record PolicyTarget(String url, Duration timeout, boolean failOpen) {
    }

    /** {@code chorus.webhook.*}: where room events go over HTTP, if anywhere. */
    public WebhookTarget webhook() {
        return new WebhookTarget((String) value(Setting.WEBHOOK_URL), (String) value(Setting.WEBHOOK_SECRET),
                (Integer) value(Setting.WEBHOOK_QUEUE), (Integer) value(Setting.WEBHOOK_ATTEMPTS),
                Duration.ofMillis((Integer) value(Setting.WEBHOOK_TIMEOUT_MS)));
    }

    /** {@code chorus.policy.*}: where the room policy is asked over HTTP, if anywhere. */
    public PolicyTarget policyBackend() {
        return new PolicyTarget((String) value(Setting.POLICY_URL),
                Duration.ofMillis((Integer) value(Setting.POLICY_TIMEOUT_MS)), (Boolean) value(Setting.POLICY_FAIL_OPEN));
    }

    /** {@code chorus.limits.handshakes-per-second-per-address}: 0 for no limit. */
    public double handshakesPerSecond() {
        return (Double) value(Setting.HANDSHAKES_PER_SECOND_PER_ADDRESS);
    }

    public boolean adminEnabled() {
        return (Boolean) value(Setting.ADMIN_ENABLED);
    }

    /**
     * Every setting as this deployment sees it, by key, in the README's order: what an operator
     * checks when a value set in the environment or a config file seems to have no effect.
     */
    public Map<String, Object> effective() {
        Map<String, Object> effective = new LinkedHashMap<>();
        // A URI may carry credentials: the operator sees where, never the password; a token or a
        // secret only whether there is one.
        values.forEach((setting, value) -> effective.put(setting.key(), switch (setting) {
            case CLUSTER_REDIS_URI, WEBHOOK_URL, POLICY_URL -> RedactedUri.of((String) value);
            case API_TOKEN, WEBHOOK_SECRET -> ((String) value).isEmpty() ? "" : "***";
            default -> value;
        }));
        return Collections.unmodifiableMap(effective);
    }
}
