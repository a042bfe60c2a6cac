package dev.chorus.api;

import dev.chorus.config.ChatConfiguration;
import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.protocol.JoinRequest;
import dev.chorus.room.InboundText;
import dev.chorus.room.Published;
import dev.chorus.room.Rooms;
import dev.chorus.room.SendAllowance;
import dev.chorus.room.Sequence;
import dev.chorus.room.UserCall;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages the application publishes into rooms, and its calls to one user (a private notice, a
 * disconnect): inject this bean into any bean of the deployment
 * (a WAR overlay, or classes added to the WAR), or post over HTTP ({@link RoomMessagesResource}).
 * A published message takes a client message's path: numbered in the room's order, kept in its
 * history (for the room's next member too, if nobody is in it now), delivered to every member on
 * every node, resumable with {@code since}. Its event carries {@code "origin":"server"}, which no
 * client can send, so that a page can tell it from a member who picked the same name.
 */
@ApplicationScoped
public class ServerMessages {

    /** The display name of a message published without one. */
    public static final String DEFAULT_FROM = "server";

    /** The longest user name a notice or a disconnect takes (a principal's name may be an address). */
    static final int MAX_USER_CHARS = 256;

    private final Rooms rooms;
    private final ChatSettings settings;
    private final Clocks clocks;
    private final SendAllowance allowance;
    private final RoomEventsOut events;
    private final AtomicLong published = new AtomicLong();

    @Inject
    public ServerMessages(Rooms rooms, ChatSettings settings, ChatConfiguration configuration, Clocks clocks,
            RoomEventsOut events) {
        this(rooms, settings, clocks, configuration.publishesPerSecond(), events);
    }

    /** Publishing into these rooms at most {@code perSecond} messages a second, as many at once. */
    public ServerMessages(Rooms rooms, ChatSettings settings, Clocks clocks, double perSecond, RoomEventsOut events) {
        this.rooms = rooms;
        this.settings = settings;
        this.clocks = clocks;
        this.events = events;
        this.allowance = new SendAllowance(perSecond, (int) Math.max(1, Math.ceil(perSecond)), clocks.nanoTime());
    }

    /** For the container's client proxy only. */
    protected ServerMessages() {
        this(null, ChatSettings.DEFAULTS, Clocks.SYSTEM, 1, RoomEventsOut.NONE);
    }

    /** Publishes the text into the room as {@value #DEFAULT_FROM}; see {@link #publish(String, String, String)}. */
    public Published publish(String room, String text) {
        return publish(room, DEFAULT_FROM, text);
    }

    /**
     * Publishes the text into the room under the display name {@code from} (a name a client could
     * ask for), and returns what it was given: its id and the room's epoch, and its time.
     *
     * @throws Refused if the room, the name or the text breaks a rule, or the node's publish rate is spent
     * @throws Sequence.Unavailable if the cluster's Redis cannot be reached: nothing was published
     */
    public Published publish(String room, String from, String text) {
        if (!JoinRequest.isRoomName(room)) {
            throw new Refused(Refused.Why.INVALID, JoinRequest.ROOM_RULE);
        }
        if (!JoinRequest.isMemberName(from)) {
            throw new Refused(Refused.Why.INVALID, "from: " + JoinRequest.NAME_RULE);
        }
        checkText(text);
        Published published = rooms.post(room, from, text);
        this.published.incrementAndGet();
        events.fire(new RoomEvents.MessageAccepted(room, published.id(), from, text, published.ts(), true));
        return published;
    }

    /**
     * Sends a private notice to every connection of one user, in every room, on every node (the
     * user is the signed-in principal's name, or the name a client asked for where rooms need no
     * sign-in); {@code from} may be null. How many connections of this node it reached, or empty
     * in a cluster, where each node reaches its own. Refused as {@link #publish} is, but for the room.
     *
     * @throws Sequence.Unavailable if the cluster's Redis cannot be reached: nobody was reached
     */
    public OptionalLong notify(String user, String from, String text) {
        checkUser(user);
        if (from != null && !JoinRequest.isMemberName(from)) {
            throw new Refused(Refused.Why.INVALID, "from: " + JoinRequest.NAME_RULE);
        }
        checkText(text);
        return rooms.address(UserCall.notice(user, from, text));
    }

    /**
     * Closes every connection of one user, in every room, on every node, with 4000 and the reason
     * (null: a default one), which tells a client not to reconnect on its own. As {@link #notify}, the count.
     *
     * @throws Sequence.Unavailable if the cluster's Redis cannot be reached: nobody was disconnected
     */
    public OptionalLong disconnect(String user, String reason) {
        checkUser(user);
        return rooms.address(UserCall.disconnect(user, reason));
    }

    private static void checkUser(String user) {
        if (user == null || user.isBlank() || user.length() > MAX_USER_CHARS) {
            throw new Refused(Refused.Why.INVALID, "a user is 1 to " + MAX_USER_CHARS + " characters");
        }
    }

    private void checkText(String text) {
        if (text == null || text.isBlank()) {
            throw new Refused(Refused.Why.INVALID, "message text is empty");
        }
        int maxBytes = settings.inbound().maxMessageBytes();
        if (InboundText.utf8Length(text) > maxBytes) {
            throw new Refused(Refused.Why.TOO_LARGE, "message text is over chorus.message.max-bytes (" + maxBytes + ")");
        }
        if (!allowance.tryTake(clocks.nanoTime())) {
            throw new Refused(Refused.Why.RATE, "over chorus.api.publishes-per-second; try again shortly");
        }
    }

    /** Messages published on this node. */
    public long published() {
        return published.get();
    }

    /** A message that was not published, and why; its message says which rule it broke. */
    public static final class Refused extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /** Which kind of rule: the HTTP API answers 400, 413 and 429. */
        public enum Why {
            INVALID, TOO_LARGE, RATE
        }

        private final Why why;

        public Refused(Why why, String reason) {
            super(reason, null, false, false);
            this.why = why;
        }

        public Why why() {
            return why;
        }
    }
}
