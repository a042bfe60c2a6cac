package dev.chorus.room;

import dev.chorus.outbound.Peer;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.Resume;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Where the rooms' joins, messages and leaves are put in one order and numbered: in this JVM
 * ({@link LocalSequence}), or in Redis for rooms that span nodes ({@code cluster.RedisSequence}).
 * {@link Rooms} hands every join, message and leave to it, so that one path serves a single node and
 * a cluster alike (as centrifuge's memory and Redis brokers do).
 */
public interface Sequence extends AutoCloseable {

    /** The sequence cannot be reached (a cluster's Redis): nothing was joined or numbered. */
    class Unavailable extends RuntimeException {

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Makes the sequence of a node's rooms; called once, by {@link Rooms}, whose rooms it orders. */
    @FunctionalInterface
    interface Start {

        Sequence of(Rooms rooms);
    }

    /**
     * Seats the peer in its room on this node under the requested name, made unique where the room
     * is numbered, and queues its welcome; {@code seated} hears of the member before anything is sent to it.
     *
     * @throws Unavailable if the sequence cannot be reached, having seated nobody
     */
    Member join(String roomName, String name, Resume resume, Peer peer, Consumer<Member> seated);

    /**
     * Numbers the sender's text in its room's order; every member gets it (the sender its ack) in
     * that order, and {@code accepted} the message once it has its id (not at all if it was not
     * numbered: the sender had left, or the cluster's Redis did not take it).
     */
    void publish(Member sender, String text, Consumer<ChatMessage> accepted);

    /**
     * Numbers a message the application publishes in the room's order, with {@code from} as its
     * display name, and delivers it to every member wherever they are; a room nobody is in keeps it
     * for its next member, as long as its history is retained.
     *
     * @throws Unavailable if the sequence cannot be reached, having numbered nothing
     */
    Published post(String roomName, String from, String text);

    /**
     * Hands the call to every connection of its user wherever it is: this node's count, or empty
     * where every node carries it out for its own ({@link Rooms#deliver}).
     *
     * @throws Unavailable if the sequence cannot be reached, having reached nobody
     */
    OptionalLong address(UserCall call);

    /** One page of the room's kept messages with an id above {@code since}, oldest first; null if it keeps none. */
    HistoryPage history(String roomName, long since, int limit);

    /** The room on this node emptied and is being dropped from the node's rooms: what becomes of its history. */
    void retire(Room room);

    /** The member left its room on this node. */
    void left(Room room, Member member);

    /** One page of the room's names wherever it is numbered, or null if nobody is in it. */
    MembersPage members(String roomName, String after, int limit);

    /** Whether rooms can be joined and spoken in now. */
    boolean isReady();

    /** Lets go of what the sequence holds (a link to Redis); the node is stopping. A second call does nothing. */
    @Override
    void close();
}
