package dev.chorus.cluster;

import java.util.List;
import java.util.Map;

/** What the link to Redis asks of, and tells, a node's rooms. */
public interface RoomLogListener {

    /** Each room this node follows, with the log position of the last entry it applied. */
    Map<String, String> positions();

    /** Entries of one room's log, in log order, after the position the room gave. */
    void relayed(String room, List<RoomEntry> entries);

    /** The link dropped: what the rooms showed may have missed entries, so their members must reconnect. */
    void lost();
}
