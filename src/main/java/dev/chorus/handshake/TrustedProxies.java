package dev.chorus.handshake;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which client a handshake comes from when reverse proxies stand in front of the server. The
 * TCP peer is the client unless it is a proxy listed in {@code chorus.limits.trusted-proxies}:
 * then the client is the last address in {@code X-Forwarded-For} that is not itself a trusted
 * proxy. Entries left of that one were written by the client or by proxies nobody vouches for,
 * so they are never believed. Addresses are compared exactly.
 *
 * @param addresses the trusted proxies' addresses, e.g. {@code 10.0.0.5}
 */
public record TrustedProxies(Set<String> addresses) {

    public TrustedProxies {
        addresses = Set.copyOf(addresses);
    }

    /** Parses a comma-separated list, as configured; blanks are ignored. */
    public static TrustedProxies of(String commaSeparated) {
        return new TrustedProxies(CommaSeparated.entries(commaSeparated).collect(Collectors.toSet()));
    }

    /**
     * The client's address.
     *
     * @param peer the TCP peer's address ({@code getRemoteAddr()})
     * @param forwardedFor every {@code X-Forwarded-For} header of the request, in order
     */
    public String client(String peer, Enumeration<String> forwardedFor) {
        if (!addresses.contains(peer) || forwardedFor == null) {
            return peer;
        }
        List<String> hops = Collections.list(forwardedFor).stream()
                .flatMap(CommaSeparated::entries)
                .toList();
        String client = peer;
        for (int i = hops.size() - 1; i >= 0 && addresses.contains(client); i--) {
            client = hops.get(i);
        }
        return client;
    }
}
