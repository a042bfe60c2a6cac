package dev.chorus.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.outbound.BatchWindow;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** When and where a broadcast's frames are sent once the room's lock is released. */
class FanoutTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    /** Windows opened and not yet ended; the test ends them. */
    private final Queue<Runnable> windows = new ArrayDeque<>();
    private final BatchWindow window = new BatchWindow(windows::add);

    @Test
    void eventsForABatchingClientWaitForItsWindowAndGoOutInOneWriteWhileOthersGoAtOnce() {
        FakePeer batching = FakePeer.inline("batching").batchingWithin(window);
        FakePeer plain = FakePeer.inline("plain");
        chat.join("lobby", batching);
        endWindows();
        chat.join("lobby", plain);
        endWindows();
        int batchingWrites = batching.writes();
        int plainWrites = plain.writes();

        chat.talk("lobby", 5);

        assertEquals(plainWrites + 1 + 5, plain.writes(), "the sender's join and each message at once");
        assertEquals(batchingWrites, batching.writes(), "nothing before the window ends");
        assertEquals(1, windows.size(), "one window for all six events, not one per event");
        endWindows();
        assertEquals(batchingWrites + 1, batching.writes(), "the join and five messages in one write");
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), batching.texts());
        assertEquals(plain.texts(), batching.texts());
        assertEquals(0, batching.violations(), "gaps, repeats or overlapping sends");
    }

    @Test
    void anEventQueuedAfterTheWindowEndedOpensTheNextOneAndNothingIsLeftBehind() {
        FakePeer batching = FakePeer.inline("batching").batchingWithin(window);
        chat.join("lobby", batching);
        endWindows();

        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        endWindows();
        chat.rooms.publish(sender, "m1");
        endWindows();
        chat.rooms.publish(sender, "m2");

        assertEquals(1, windows.size(), "m2 came after the window ended: it opens another");
        endWindows();
        assertEquals(List.of("m1", "m2"), batching.texts());
        assertTrue(windows.isEmpty());
        assertEquals(0, batching.violations());
    }

    private void endWindows() {
        while (!windows.isEmpty()) {
            windows.remove().run();
        }
    }
}
