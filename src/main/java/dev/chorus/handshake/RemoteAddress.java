package dev.chorus.handshake;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Carries the client's address from the handshake to its WebSocket session. The standard
 * {@code Session} API has no remote address, but both Tyrus and Undertow build a session's
 * request parameters from the servlet request that reaches their upgrade filter: the handshake
 * filter hands them a request with one more parameter, which it always sets itself, so a client
 * cannot choose it.
 */
public final class RemoteAddress {

    /** The parameter's name; a handshake that brings it itself is refused (400). */
    public static final String PARAMETER = "chorus.remote-address";

    private RemoteAddress() {
    }

    /**
     * The request as the upgrade filters should see it: with the query's parameters as
     * {@link QueryString} decoded them (UTF-8 on every container), and the client's address as one more.
     */
    static HttpServletRequest carriedBy(HttpServletRequest request, Map<String, String[]> query, String client) {
        Map<String, String[]> parameters = new HashMap<>(query);
        parameters.put(PARAMETER, new String[] {client});
        Map<String, String[]> carried = Collections.unmodifiableMap(parameters);
        return new HttpServletRequestWrapper(request) {
            @Override
            public Map<String, String[]> getParameterMap() {
                return carried;
            }

            @Override
            public String getParameter(String name) {
                String[] values = carried.get(name);
                return values == null ? null : values[0];
            }

            @Override
            public String[] getParameterValues(String name) {
                return carried.get(name);
            }

            @Override
            public Enumeration<String> getParameterNames() {
                return Collections.enumeration(carried.keySet());
            }
        };
    }

    /** The client's address, from a session's request parameters; null if no handshake filter set it. */
    public static String of(Map<String, List<String>> sessionParameters) {
        List<String> values = sessionParameters.get(PARAMETER);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
