package dev.chorus.cluster;

import java.util.List;

/**
 * A room's log as a node that starts following it finds it: the numbering, the last id given,
 * the last messages (oldest first) and the log position they end at; the node reads on from there.
 *
 * @param position the newest entry read, or {@code 0-0} if the log is empty
 */
public record Backlog(String epoch, long lastId, String position, List<RoomEntry> messages) {
}
