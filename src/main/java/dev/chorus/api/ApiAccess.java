package dev.chorus.api;

import dev.chorus.config.ChatConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may use the publish API: a user the container signed in with the role {@value #ROLE}, or a
 * backend outside the realm with {@code Authorization: Bearer} and the token set in
 * {@code chorus.api.token} (without one, that way in is off). The token is compared in constant
 * time and never logged.
 */
@ApplicationScoped
public class ApiAccess {

    /** The container role that may publish and read rooms' messages over HTTP. */
    public static final String ROLE = "chorus-publisher";

    private static final String BEARER = "Bearer ";

    private final byte[] tokenDigest;

    @Inject
    public ApiAccess(ChatConfiguration configuration) {
        String token = configuration.apiToken();
        this.tokenDigest = token.isEmpty() ? null : digest(token);
    }

    /** For the container's client proxy only. */
    protected ApiAccess() {
        this.tokenDigest = null;
    }

    /**
     * Null if the request may use the API, else the answer: 401 without credentials or with a
     * token that is not the configured one, 403 for a signed-in user without the role.
     */
    public Response refusal(HttpHeaders headers, SecurityContext security) {
        String authorization = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            // Digests of equal length, compared in constant time: neither the token nor its length leaks.
            boolean valid = tokenDigest != null
                    && MessageDigest.isEqual(tokenDigest, digest(authorization.substring(BEARER.length()).strip()));
            return valid ? null : unauthorized("the bearer token is not this server's (chorus.api.token)");
        }
        if (security.getUserPrincipal() == null) {
            return unauthorized("sign in with the role " + ROLE + ", or send Authorization: Bearer with chorus.api.token");
        }
        return security.isUserInRole(ROLE) ? null
                : Response.status(Status.FORBIDDEN).entity("the publish API needs the role " + ROLE).build();
    }

    private static Response unauthorized(String why) {
        return Response.status(Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"chorus\"")
                .entity(why).build();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
