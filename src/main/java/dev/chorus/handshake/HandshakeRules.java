package dev.chorus.handshake;

import dev.chorus.config.ChatConfiguration;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The handshake's policies, built once from the configuration: which pages may connect
 * ({@code chorus.origins}) and whose X-Forwarded-For is believed ({@code chorus.limits.trusted-proxies}).
 * Configuration hands over plain values; this package decides what they mean.
 */
@ApplicationScoped
public class HandshakeRules {

    @Inject
    ChatConfiguration configuration;

    private OriginPolicy origins;
    private TrustedProxies proxies;

    @PostConstruct
    void parse() {
        origins = OriginPolicy.of(configuration.origins(), configuration.allowMissingOrigin());
        proxies = TrustedProxies.of(configuration.trustedProxies());
    }

    /** Which pages may open chat connections: the server's own origin plus {@code chorus.origins}. */
    public OriginPolicy origins() {
        return origins;
    }

    /** Who the client is behind {@code chorus.limits.trusted-proxies}. */
    public TrustedProxies proxies() {
        return proxies;
    }
}
