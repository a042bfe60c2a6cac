package dev.chorus.cluster;

import dev.chorus.room.UserCall;
import java.util.List;
import java.util.Set;

/** What the link to Redis asks of, and tells, a node's rooms. */
public interface RoomLogListener {

    /** The rooms this node follows now. */
    Set<String> followed();

    /** The log position of the last entry the room applied; null if this node does not follow it. */
    String position(String room);

    /**
     * Entries of one room's log, in log order; those at or before the room's position are ones it
     * has. False if the room applied nothing because an entry does not follow the room's position
     * ({@link RoomEntry#follows}): the room must be read from the log.
     */
    boolean relayed(String room, List<RoomEntry> entries);

    /** A call to one user, from any node (this one too): carry it out on this node's connections of the user. */
    void addressed(UserCall call);

    /** The link dropped: what the rooms showed may have missed entries, so their members must reconnect. */
    void lost();
}
