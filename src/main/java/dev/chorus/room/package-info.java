/**
 * Rooms: their members under each room's lock, their order and numbering (in this JVM, or in
 * Redis behind the same seam), their history, and the fan-out of each event to the members' outboxes.
 */
package dev.chorus.room;
