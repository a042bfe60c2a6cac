package dev.chorus.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrameQueueTest {

    @Test
    void refusesFramesBeyondItsBoundsButAnEmptyQueueTakesAnyFrame() {
        FrameQueue byCount = new FrameQueue(2, Long.MAX_VALUE);
        assertTrue(byCount.add("a:0"));
        assertTrue(byCount.add("a:1"));
        assertFalse(byCount.add("a:2"), "a third frame exceeds 2 queued");
        assertEquals(2, byCount.depth(), "a refused frame is not counted");

        FrameQueue byChars = new FrameQueue(Integer.MAX_VALUE, 10);
        assertTrue(byChars.add("x".repeat(100)), "an empty queue takes a frame larger than its bound");
        assertFalse(byChars.add("y"));

        FrameQueue draining = new FrameQueue(Integer.MAX_VALUE, 10);
        assertTrue(draining.add("123456"));
        assertEquals("123456", draining.take());
        assertTrue(draining.add("123456"), "taken frames no longer count against the bound");
        assertEquals(1, draining.depth());
    }

    @Test
    void aBatchJoinsWhatQueuedBehindTheFirstFrameOnePerLineButNeverAcrossTheBarrier() {
        String ping = new String("ping");
        FrameQueue queue = new FrameQueue(100, Long.MAX_VALUE);
        for (String frame : new String[] {"a:1", "a:2", "a:3"}) {
            queue.add(frame);
        }
        queue.add(ping);
        queue.add("a:4");

        assertEquals(List.of("a:1", "a:2", "a:3"), queue.next(true, true, ping));
        assertEquals(List.of(ping), queue.next(true, true, ping), "the ping goes out alone, as the control frame it is");
        assertEquals(List.of("a:4"), queue.next(true, true, ping));
        assertEquals(List.of(), queue.next(true, true, ping));
        assertEquals(0, queue.depth());
    }

    @Test
    void aRunTakesWhatQueuedBehindTheFirstFrameAsSeparateFramesUpToTheLimitButNeverAcrossTheBarrier() {
        String ping = new String("ping");
        String third = "x".repeat(FrameQueue.MAX_BATCH_CHARS / 3);
        FrameQueue queue = new FrameQueue(100, Long.MAX_VALUE);
        for (String frame : new String[] {"a:1", "a:2", ping, third, third, third, third}) {
            queue.add(frame);
        }

        assertEquals(List.of("a:1", "a:2"), queue.takeRun(ping));
        assertEquals(List.of(ping), queue.takeRun(ping), "the ping goes out alone, as the control frame it is");
        assertEquals(List.of(third, third, third), queue.takeRun(ping), "a fourth third would pass the limit");
        assertEquals(List.of(third), queue.takeRun(ping));
        assertEquals(List.of(), queue.takeRun(ping));
        assertEquals(0, queue.depth());
    }

    @Test
    void aBatchStopsAtItsCharacterLimit() {
        FrameQueue queue = new FrameQueue(100, Long.MAX_VALUE);
        String quarter = "x".repeat(FrameQueue.MAX_BATCH_CHARS / 4);
        for (int i = 0; i < 4; i++) {
            queue.add(quarter);
        }

        assertEquals(List.of(quarter, quarter, quarter), queue.next(false, true, null),
                "three quarters and two line breaks; the fourth would pass the limit");
        assertEquals(List.of(quarter), queue.next(false, true, null));
        assertTrue(queue.isEmpty());
    }
}
