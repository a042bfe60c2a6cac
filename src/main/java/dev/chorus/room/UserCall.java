package dev.chorus.room;

/**
 * What the application asks of every connection of one user, on every node: a private notice
 * ({@code text} from {@code from}, which may be null), or a disconnect ({@code text} is the reason).
 * The user is the signed-in principal's name, or the name a client asked for where rooms need no sign-in.
 */
public record UserCall(Kind kind, String user, String from, String text) {

    /** What the call does to each of the user's connections. */
    public enum Kind {
        NOTICE, DISCONNECT
    }

    public static UserCall notice(String user, String from, String text) {
        return new UserCall(Kind.NOTICE, user, from, text);
    }

    public static UserCall disconnect(String user, String reason) {
        return new UserCall(Kind.DISCONNECT, user, null, reason);
    }
}
