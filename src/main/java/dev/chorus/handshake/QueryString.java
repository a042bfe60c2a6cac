package dev.chorus.handshake;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A handshake's query, decoded as UTF-8 whatever the container would do. Browsers percent-encode
 * a URL's query as UTF-8, but Payara decodes request parameters as ISO-8859-1 unless told
 * otherwise (a {@code José} arrived as {@code JosÃ©}), and Tyrus fails the whole connection after
 * the upgrade on a malformed escape such as {@code %ZZ}. Decoding it here, before the upgrade,
 * gives every container the same names and lets a malformed query be refused with 400.
 */
final class QueryString {

    private QueryString() {
    }

    /**
     * Each parameter's values in the order they came; a parameter without {@code =} has the value "".
     *
     * @throws IllegalArgumentException if an escape is malformed ({@code %} not followed by two hex digits)
     */
    static Map<String, String[]> decode(String query) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String key = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                values.computeIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        Map<String, String[]> decoded = new LinkedHashMap<>();
        values.forEach((key, list) -> decoded.put(key, list.toArray(String[]::new)));
        return decoded;
    }
}
