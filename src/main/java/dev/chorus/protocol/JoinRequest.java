package dev.chorus.protocol;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * What a client asks for when it opens {@code /chat/{room}?name=...&since=...}, validated.
 * Identity is the container's authenticated principal when there is one; only otherwise does
 * the client choose its name, and never after joining: the server stamps every message with it.
 *
 * @param room the room to join
 * @param name the name the client asked for, before the room makes it unique
 * @param resume where the client left the room's conversation, if it is resuming
 * @param batched whether the client takes several events in one frame, one per line ({@code ?batch=1})
 */
public record JoinRequest(String room, String name, Resume resume, boolean batched) {

    /**
     * Room names travel in URLs and logs: keep them short and unambiguous. Not dots alone: "." and
     * ".." are path segments that a proxy or a log reader may resolve.
     */
    private static final Pattern ROOM = Pattern.compile("(?!\\.+$)[A-Za-z0-9._-]{1,64}");

    /** What {@link #epoch} hands out: a non-negative long in base 36. */
    private static final Pattern EPOCH = Pattern.compile("[0-9a-z]{1,13}");

    /** Letters and digits of any script, space, '-', '_' and '.'; '#' is left for the room's suffixes. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{Nd} ._-]{1,32}");

    public static final String ROOM_RULE = "room name must be 1-64 letters, digits, '.', '_' or '-', not dots alone";
    public static final String NAME_RULE = "name must be 1-32 letters, digits, spaces, '-', '_' or '.'";
    public static final String SINCE_RULE = "since must be a message id (a whole number, 0 or more)";
    public static final String EPOCH_RULE = "epoch must be the one a welcome gave: 1-13 lowercase letters or digits";
    public static final String BATCH_RULE = "batch must be 0 (one event per frame) or 1 (several, one per line)";
    public static final String SIGN_IN_RULE = "sign-in required: this server takes authenticated users only";

    /** Whether the text is a valid room name ({@link #ROOM_RULE}). */
    public static boolean isRoomName(String room) {
        return room != null && ROOM.matcher(room).matches();
    }

    /** Whether the text is a name a client could ask for ({@link #NAME_RULE}). */
    public static boolean isMemberName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Validates the request from a client that may be anonymous.
     *
     * @throws InvalidRequest with the reason to send in a 1008 close
     */
    public static JoinRequest of(String room, Principal principal, Map<String, List<String>> parameters) {
        return of(room, principal, parameters, false);
    }

    /**
     * Validates the request; with {@code signInRequired}, a client the container did not
     * authenticate is refused, whatever name it asks for.
     *
     * @throws InvalidRequest with the reason to send in a 1008 close
     */
    public static JoinRequest of(String room, Principal principal, Map<String, List<String>> parameters,
            boolean signInRequired) {
        if (signInRequired && principal == null) {
            throw new InvalidRequest(SIGN_IN_RULE);
        }
        if (!isRoomName(room)) {
            throw new InvalidRequest(ROOM_RULE);
        }
        String name = principal != null ? principal.getName() : parameter(parameters, "name");
        name = name == null ? "" : name.strip();
        if (principal == null && !isMemberName(name)) {
            throw new InvalidRequest(NAME_RULE);
        }
        return new JoinRequest(room, name, resume(parameter(parameters, "since"), parameter(parameters, "epoch")),
                batched(parameter(parameters, "batch")));
    }

    private static boolean batched(String value) {
        if (value == null || value.equals("0")) {
            return false;
        }
        if (value.equals("1")) {
            return true;
        }
        throw new InvalidRequest(BATCH_RULE);
    }

    private static Resume resume(String since, String epoch) {
        OptionalLong id = since(since);
        if (epoch == null) {
            return new Resume(id, Optional.empty());
        }
        if (!EPOCH.matcher(epoch).matches()) {
            throw new InvalidRequest(EPOCH_RULE);
        }
        return new Resume(id, Optional.of(epoch));
    }

    private static OptionalLong since(String value) {
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            long since = Long.parseLong(value);
            if (since >= 0) {
                return OptionalLong.of(since);
            }
        } catch (NumberFormatException e) {
            // Answered below, like a negative id.
        }
        throw new InvalidRequest(SINCE_RULE);
    }

    private static String parameter(Map<String, List<String>> parameters, String key) {
        List<String> values = parameters.get(key);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A join request the server refuses; the message is the close reason (at most 123 bytes). */
    public static final class InvalidRequest extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public InvalidRequest(String reason) {
            super(reason, null, false, false);
        }
    }
}
