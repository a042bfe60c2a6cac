package dev.chorus.handshake;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which pages may open a chat connection. Browsers send the page's origin with every WebSocket
 * handshake and, unlike for fetch, enforce nothing themselves: without this check any site a
 * user visits could chat in their name. Origins are compared exactly (scheme, host and port);
 * there is no substring or wildcard matching, which is how such checks are usually bypassed.
 *
 * @param allowed origins allowed besides the server's own, e.g. {@code https://chat.example.org}
 * @param allowMissing whether a handshake without an Origin header (not a browser) is allowed
 */
public record OriginPolicy(Set<String> allowed, boolean allowMissing) {

    public OriginPolicy {
        allowed = allowed.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** Parses a comma-separated list, as configured; blanks are ignored. */
    public static OriginPolicy of(String commaSeparated, boolean allowMissing) {
        return new OriginPolicy(CommaSeparated.entries(commaSeparated).collect(Collectors.toSet()), allowMissing);
    }

    /**
     * Whether a handshake may proceed.
     *
     * @param origin the Origin header, or null
     * @param ownOrigin the origin this server was reached at, e.g. {@code http://localhost:8080}
     */
    public boolean allows(String origin, String ownOrigin) {
        if (origin == null || origin.isEmpty()) {
            return allowMissing;
        }
        String normalized = normalize(origin);
        return normalized.equals(normalize(ownOrigin)) || allowed.contains(normalized);
    }

    /** Origins are case-insensitive in scheme and host; a trailing slash is not part of one. */
    private static String normalize(String origin) {
        String lower = origin.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith("/") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
