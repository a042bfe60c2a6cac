package dev.chorus.container;

import static dev.chorus.container.TyrusFramedSenderTest.decodeTextFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SharedFramesTest {

    @Test
    void framesTheSameEventOnceForAllItsReceiversButEachNewEventAfresh() {
        String event = "{\"type\":\"message\",\"id\":7}";
        String next = new String(event.toCharArray());

        byte[] first = SharedFrames.frame(event);
        byte[] again = SharedFrames.frame(event);
        byte[] equalButNew = SharedFrames.frame(next);

        assertSame(first, again);
        assertNotSame(first, equalButNew, "a reused frame must be for that very String");
        assertArrayEquals(first, equalButNew);
        assertEquals(event, decodeTextFrame(first));
    }

    @Test
    void buildsARunOrABatchOnceForEveryReceiverWhoseBacklogHoldsTheSameEvents() {
        List<String> backlog = events("a", 5);
        List<String> sameEventsAnotherList = new ArrayList<>(backlog);
        List<String> equalTextsOtherEvents = backlog.stream().map(text -> new String(text.toCharArray())).toList();

        assertSame(SharedFrames.lines(backlog), SharedFrames.lines(sameEventsAnotherList));
        assertSame(SharedFrames.run(backlog), SharedFrames.run(sameEventsAnotherList));
        assertSame(SharedFrames.joined(backlog), SharedFrames.joined(sameEventsAnotherList));
        assertNotSame(SharedFrames.lines(backlog), SharedFrames.lines(equalTextsOtherEvents),
                "a frame is shared for the very same events only");
        assertNotSame(SharedFrames.lines(backlog), SharedFrames.lines(backlog.subList(0, 4)), "one event less is another batch");
    }

    /** Every length encoding of RFC 6455 for the batch and for the events in it, at the edges. */
    @ParameterizedTest
    @ValueSource(ints = {1, 60, 61, 62, 125, 126, 32_767, 32_768, 70_000})
    void aBatchIsOneFrameWithAnEventPerLineThatAClientDecodes(int length) {
        List<String> lines = List.of("x".repeat(length), "grüße, 你好, \uD83D\uDE00", "y".repeat(length));

        byte[] frame = SharedFrames.lines(lines);

        assertEquals(String.join("\n", lines), decodeTextFrame(frame));
        assertEquals(String.join("\n", lines), SharedFrames.joined(lines));
    }

    @Test
    void aRunIsEachEventsOwnFrameOneAfterTheOther() {
        List<String> run = List.of("first", "x".repeat(300), "dritte: grüße", "y".repeat(70_000));

        ByteBuffer in = ByteBuffer.wrap(SharedFrames.run(run));
        List<String> frames = new ArrayList<>();
        while (in.hasRemaining()) {
            frames.add(decodeTextFrame(in));
        }

        assertEquals(run, frames);
    }

    @Test
    void keepsNothingLargerThanItsBoundSoTheTableStaysSmall() {
        List<String> large = List.of("x".repeat(SharedFrames.LARGEST_KEPT), "y");

        assertNotSame(SharedFrames.lines(large), SharedFrames.lines(large));
        assertNotSame(SharedFrames.frame(large.get(0)), SharedFrames.frame(large.get(0)));
    }

    /**
     * Threads that build and read the same table at once (as send lanes and the container's
     * completion threads do) always get the frame of exactly the events they asked for.
     */
    @Test
    void threadsSharingTheTableNeverGetAnotherBacklogsFrame() throws Exception {
        List<String> events = events("e", 400);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> checked = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                checked.add(threads.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 5_000; i++) {
                        int from = random.nextInt(events.size() - 10);
                        List<String> backlog = events.subList(from, from + 1 + random.nextInt(9));
                        assertEquals(String.join("\n", backlog), decodeTextFrame(SharedFrames.lines(backlog)));
                        assertEquals(String.join("\n", backlog), SharedFrames.joined(backlog));
                        ByteBuffer run = ByteBuffer.wrap(SharedFrames.run(backlog));
                        for (String event : backlog) {
                            assertEquals(event, decodeTextFrame(run));
                        }
                        assertEquals(0, run.remaining());
                    }
                    return 5_000;
                }));
            }
            for (Future<Integer> done : checked) {
                assertEquals(5_000, done.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static List<String> events(String prefix, int count) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add("{\"type\":\"message\",\"id\":" + i + ",\"text\":\"" + prefix + i + "\"}");
        }
        return events;
    }
}
