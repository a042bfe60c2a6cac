package dev.chorus.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URI as an operator may see it: parsed into its scheme, its user information and the rest
 * (hosts, path, query, fragment), and rebuilt with the user information, if any, as {@code ***}.
 * A URI as written does not always follow RFC 3986 (a password may hold a raw {@code /}, {@code ?},
 * {@code #} or {@code @}), so where two readings are possible the one that hides more wins: an
 * {@code @} in a path is taken for the end of credentials. The URI may then be shown with less
 * than it holds, never with a password.
 */
final class RedactedUri {

    /** {@code scheme://}, in any case: Redis' schemes, a sentinel's and a socket's, HTTP's. */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");

    /** A host, a bracketed IPv6 address or none (a socket), with an optional port. */
    private static final String HOST = "(\\[[0-9A-Fa-f:.]*\\]|[A-Za-z0-9._~%-]*)(:[0-9]*)?";

    /** What stands between {@code //} and the path when there is no user information: hosts (a sentinel URI lists several). */
    private static final Pattern HOSTS = Pattern.compile(HOST + "(," + HOST + ")*");

    private RedactedUri() {
    }

    /** The URI with its user name and password, if it has any, replaced by {@code ***}. */
    static String of(String uri) {
        Matcher scheme = SCHEME.matcher(uri);
        int start = scheme.lookingAt() ? scheme.end() : 0;
        int at = userInfoEnd(uri, start);
        return at < 0 ? uri : uri.substring(0, start) + "***" + uri.substring(at);
    }

    /**
     * Where the user information that starts at {@code start} ends (its {@code @}), or -1 if there
     * is none. The last {@code @} before the query and the fragment ends it, whatever {@code /}
     * stands before; an {@code @} only after a {@code ?} or {@code #} ends it only if what comes
     * before that is no list of hosts (so the {@code ?} or {@code #} was in the password).
     */
    private static int userInfoEnd(String uri, int start) {
        int at = uri.lastIndexOf('@', firstOf(uri, start, "?#") - 1);
        if (at >= start) {
            return at;
        }
        int last = uri.lastIndexOf('@');
        if (last < start) {
            return -1;
        }
        return HOSTS.matcher(uri.substring(start, firstOf(uri, start, "/?#"))).matches() ? -1 : last;
    }

    /** The index of the first of the characters at or after {@code from}, or the length if none is there. */
    private static int firstOf(String text, int from, String characters) {
        for (int i = from; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
