package dev.chorus.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a node reads a room's entries, pushed or from the log, and when it may apply a pushed one. */
class RoomEntryTest {

    @Test
    void aPushedMessageCarriesItsFieldsItsPositionAndThePositionBeforeIt() {
        RoomEntry entry = RoomEntry.pushed("{\"at\":\"1700000000000-3\",\"p\":\"1700000000000-2\",\"e\":\"ep1\",\"t\":\"m\","
                + "\"n\":\"42\",\"f\":\"alice\",\"x\":\"hi \\\"there\\\"\\n\\u00e9\",\"ts\":\"1700000000123\",\"o\":\"node1\"}");

        assertEquals(RoomEntry.Kind.MESSAGE, entry.kind());
        assertEquals("1700000000000-3", entry.at());
        assertEquals("1700000000000-2", entry.after());
        assertEquals(42, entry.id());
        assertEquals("alice", entry.name());
        assertEquals("hi \"there\"\né", entry.text(), "the text comes back exactly, escapes and all");
        assertEquals(1700000000123L, entry.sentAt());
        assertEquals("ep1", entry.epoch());
    }

    @Test
    void aPushedEntryAppliesOnlyRightAfterTheOneBeforeIt() {
        RoomEntry pushed = RoomEntry.pushed("{\"at\":\"5-0\",\"p\":\"4-0\",\"e\":\"ep\",\"t\":\"j\",\"f\":\"bob\",\"c\":\"2\",\"o\":\"n\"}");

        assertTrue(pushed.follows("4-0"));
        assertFalse(pushed.follows("3-0"), "an entry went missing between: read the log");
        assertTrue(pushed.isAfter("4-0"));
        assertFalse(pushed.isAfter("5-0"), "one the room applied already is skipped, not applied twice");
        assertEquals(2, pushed.count());
    }

    @Test
    void anEntryReadFromTheLogFollowsWhereverTheRoomStands() {
        RoomEntry read = RoomEntry.of("12-1", Map.of("e", "ep", "t", "l", "f", "bob", "c", "0", "o", "n"));

        assertNull(read.after());
        assertTrue(read.follows("3-7"), "a log read starts from the room's position, so it follows by construction");
        assertTrue(read.isAfter("12-0"));
        assertTrue(read.isAfter("9-5"), "positions compare by time, then sequence, as numbers");
        assertFalse(read.isAfter("100-0"));
    }

    @Test
    void anEntryOfAKindThisVersionDoesNotKnowIsLeftOut() {
        assertNull(RoomEntry.pushed("{\"at\":\"5-0\",\"p\":\"4-0\",\"e\":\"ep\",\"t\":\"z\"}"));
    }
}
