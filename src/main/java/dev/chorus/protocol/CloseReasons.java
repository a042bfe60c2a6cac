package dev.chorus.protocol;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;

/**
 * Every close Chorus sends, named once with why it carries its code (RFC 6455 section 7.4.1). The
 * README's table of close codes is the user-facing copy of this class. A client reconnects after
 * 1001, 1011, 1012 and 1013, and not after 1003, 1008 and 1009, which would fail again.
 */
public final class CloseReasons {

    /** 1001 Going Away: the server is stopping; the client reconnects (elsewhere) and resumes. */
    public static final CloseReason SHUTTING_DOWN = new CloseReason(CloseCodes.GOING_AWAY, "server shutting down");

    /** 1003 Cannot Accept: the spec's code for a data type the endpoint does not take. */
    public static final CloseReason BINARY = new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not supported");

    /** 1008 Policy Violation: the client kept flooding after the warnings; reconnecting would not help. */
    public static final CloseReason RATE_EXCEEDED = new CloseReason(CloseCodes.VIOLATED_POLICY, "rate limit exceeded");

    /** 1011 Internal Error: the socket failed under us; the client should reconnect and resume. */
    public static final CloseReason SEND_FAILED = new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "send failed");

    /** 1011 Internal Error: the container reported an error on the connection (@OnError). */
    public static final CloseReason CONNECTION_FAILED =
            new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "connection error");

    /** 1012 Service Restart: an operator asked this client to reconnect, which it does at once. */
    public static final CloseReason RECONNECT = new CloseReason(CloseCodes.SERVICE_RESTART, "reconnect");

    /**
     * 1013 Try Again Later: the connection fell behind its outbound bounds. Not the client's fault
     * by protocol, so not 1008: a client on a better link may come straight back.
     */
    public static final CloseReason QUEUE_FULL = new CloseReason(CloseCodes.TRY_AGAIN_LATER,
            "too slow: outbound queue full");

    /** 1013 Try Again Later: the node's outbound queues together passed their total, and this one was the largest. */
    public static final CloseReason NODE_QUEUES_FULL = new CloseReason(CloseCodes.TRY_AGAIN_LATER,
            "too slow: the server's outbound queues are full");

    /** 1013: one send stayed unfinished past the send timeout (the client stopped reading). */
    public static final CloseReason SEND_TIMED_OUT = new CloseReason(CloseCodes.TRY_AGAIN_LATER,
            "too slow: send timed out");

    /** 1013: a cluster node whose link to Redis is down admits nobody until it is back; another node may. */
    public static final CloseReason CLUSTER_UNAVAILABLE = new CloseReason(CloseCodes.TRY_AGAIN_LATER, "cluster unavailable");

    /** 1013: the node holds as many connections as it may; a load balancer can try another. */
    public static final CloseReason SERVER_FULL = new CloseReason(CloseCodes.TRY_AGAIN_LATER, "server full");

    /** 1013: the node holds as many rooms as it may; an existing room, or another node, may take the client. */
    public static final CloseReason TOO_MANY_ROOMS = new CloseReason(CloseCodes.TRY_AGAIN_LATER, "too many rooms");

    /** 1013: the client's address holds every connection it may (a join that raced the handshake's 429). */
    public static final CloseReason ADDRESS_FULL = new CloseReason(CloseCodes.TRY_AGAIN_LATER,
            "too many connections from your address");

    private CloseReasons() {
    }

    /** 1008: the join broke a rule (room, name, since, sign-in); the reason says which. */
    public static CloseReason invalidJoin(String rule) {
        return new CloseReason(CloseCodes.VIOLATED_POLICY, rule);
    }

    /** 1008: the application's room policy refused the join; the reason is its own, cut to what a close reason holds. */
    public static CloseReason forbidden(String reason) {
        return new CloseReason(CloseCodes.VIOLATED_POLICY, fitted("forbidden: " + reason));
    }

    /** The text cut to the 123 bytes of UTF-8 a close reason holds (RFC 6455 5.5), on a character boundary. */
    static String fitted(String reason) {
        String fitted = reason;
        while (fitted.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
            fitted = fitted.substring(0, fitted.offsetByCodePoints(fitted.length(), -1));
        }
        return fitted;
    }

    /**
     * 4000 (the range RFC 6455 leaves to applications): the application disconnected this user,
     * with its reason. A client must not reconnect on its own: the same answer would come back.
     */
    public static CloseReason disconnected(String reason) {
        String why = reason == null || reason.isBlank() ? "disconnected by the application" : reason;
        return new CloseReason(CloseCodes.getCloseCode(DISCONNECTED), fitted(why));
    }

    /** The close code of {@link #disconnected}. */
    public static final int DISCONNECTED = 4000;

    /** 1009 Too Big: the spec's code for a message larger than the endpoint takes. */
    public static CloseReason tooBig(int maxBytes) {
        return new CloseReason(CloseCodes.TOO_BIG, "message over " + maxBytes + " bytes");
    }

    /**
     * 1001: the client answered no ping within the silence limit. Going Away rather than an error:
     * it has most likely gone (a closed laptop, a lost network), and will resume when it returns.
     */
    public static CloseReason silent(int seconds) {
        return new CloseReason(CloseCodes.GOING_AWAY, "no pong for " + seconds + " s");
    }
}
