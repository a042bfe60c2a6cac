package dev.chorus.room;

import java.util.List;

/**
 * What Redis answered a join: the name made unique across the cluster, the room's count with the
 * newcomer, the numbering and the last id given so far, the first page of names, and the log
 * position of the join itself (presence before it is already in the count and the names).
 */
public record Ticket(String name, int count, String epoch, long lastId, List<String> names, String position) {
}
