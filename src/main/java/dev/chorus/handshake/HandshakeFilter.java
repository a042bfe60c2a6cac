package dev.chorus.handshake;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Decides on a chat handshake before the container upgrades it: a page from an origin that
 * {@link OriginPolicy} does not allow gets 403; a query with a malformed escape gets 400; an address that holds every connection
 * {@code chorus.limits.max-connections-per-address} allows, or that handshakes faster than
 * {@code chorus.limits.handshakes-per-second-per-address} ({@link HandshakeRate}), gets 429; the others go on, carrying
 * their address to the session ({@link RemoteAddress}). The address is the client's as
 * {@link TrustedProxies} tells it: the TCP peer, or behind a trusted proxy, what it forwarded. A filter rather than
 * {@code Configurator.checkOrigin}, because the default origin (the page's own) needs the Host
 * the request came to, and the address is not available to a configurator at all.
 */
@WebFilter(urlPatterns = "/chat/*", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());
    /** How long a client refused for its address should wait before it tries again. */
    private static final String RETRY_AFTER_SECONDS = "10";

    @Inject
    transient HandshakeRules rules;

    @Inject
    transient ConnectionQuota quota;

    @Inject
    transient HandshakeRefusals refusals;

    @Inject
    transient HandshakeRate rate;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String origin = request.getHeader("Origin");
        String own = request.getScheme() + "://" + request.getHeader("Host");
        if (!rules.origins().allows(origin, own)) {
            refuse(response, HandshakeRefusals.Cause.ORIGIN, HttpServletResponse.SC_FORBIDDEN, "origin not allowed",
                    "Refused a chat handshake from origin {0}", origin);
            return;
        }
        Map<String, String[]> parameters;
        try {
            parameters = QueryString.decode(request.getQueryString());
        } catch (IllegalArgumentException e) {
            refuse(response, HandshakeRefusals.Cause.MALFORMED_QUERY, HttpServletResponse.SC_BAD_REQUEST,
                    "malformed query: " + e.getMessage(), "Refused a chat handshake from {0} with a malformed query",
                    request.getRemoteAddr());
            return;
        }
        if (parameters.containsKey(RemoteAddress.PARAMETER)) {
            refuse(response, HandshakeRefusals.Cause.FORGED_ADDRESS, HttpServletResponse.SC_BAD_REQUEST,
                    RemoteAddress.PARAMETER + " is set by the server", "Refused a chat handshake from {0} that set "
                    + RemoteAddress.PARAMETER + " itself", request.getRemoteAddr());
            return;
        }
        String client = rules.proxies().client(request.getRemoteAddr(), request.getHeaders("X-Forwarded-For"));
        if (quota.isFull(client)) {
            response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            refuse(response, HandshakeRefusals.Cause.ADDRESS_FULL, 429, "too many connections from your address",
                    "Refused a chat handshake from {0}: it holds chorus.limits.max-connections-per-address="
                    + quota.maxPerAddress() + " connections already", client);
            return;
        }
        if (!rate.admits(client)) {
            response.setHeader("Retry-After", "1");
            refuse(response, HandshakeRefusals.Cause.HANDSHAKE_RATE, 429, "too many handshakes from your address",
                    "Refused a chat handshake from {0}: over chorus.limits.handshakes-per-second-per-address", client);
            return;
        }
        chain.doFilter(RemoteAddress.carriedBy(request, parameters, client), response);
    }

    private void refuse(HttpServletResponse response, HandshakeRefusals.Cause cause, int status, String message,
            String log, String subject) throws IOException {
        refusals.count(cause);
        // A client over the handshake rate may be looping: counted, and logged only at FINE, so it cannot flood the log.
        LOG.log(cause == HandshakeRefusals.Cause.HANDSHAKE_RATE ? Level.FINE : Level.INFO, log, subject);
        response.sendError(status, message);
    }
}
