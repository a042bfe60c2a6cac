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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages the application publishes into rooms: inject this bean into any bean of the deployment
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
        Published published = rooms.post(room, from, text);
        this.published.incrementAndGet();
        events.fire(new RoomEvents.MessageAccepted(room, published.id(), from, text, published.ts(), true));
        return published;
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
