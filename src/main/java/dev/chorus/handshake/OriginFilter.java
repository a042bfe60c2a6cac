package dev.chorus.handshake;

import dev.chorus.config.ChatConfiguration;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Refuses, with 403, a chat handshake from a page whose origin {@link OriginPolicy} does not
 * allow. A filter rather than {@code Configurator.checkOrigin}, because the default (the page's
 * own origin) needs the Host the request came to, which {@code checkOrigin} is not given.
 */
@WebFilter(urlPatterns = "/chat/*", asyncSupported = true)
public class OriginFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(OriginFilter.class.getName());

    @Inject
    transient ChatConfiguration configuration;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String origin = request.getHeader("Origin");
        String own = request.getScheme() + "://" + request.getHeader("Host");
        if (configuration.originPolicy().allows(origin, own)) {
            chain.doFilter(request, response);
            return;
        }
        LOG.log(Level.INFO, "Refused a chat handshake from origin {0}", origin);
        response.sendError(HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
    }
}
