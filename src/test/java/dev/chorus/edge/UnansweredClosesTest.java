package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.config.ChatSettings;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A closed socket is cut one send timeout after its close, whether or not the client answered. */
class UnansweredClosesTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);
    private final UnansweredCloses closes = chat.closes();
    private final long timeout = TimeUnit.SECONDS.toNanos(chat.settings.outbound().sendTimeoutSeconds());

    @Test
    void aCloseIsCutOnceItsSendTimeoutHasPassedAndNotBefore() {
        FakePeer early = FakePeer.inline("early");
        FakePeer late = FakePeer.inline("late");
        closes.watch(early::cut);
        chat.nanos += timeout / 2;
        closes.watch(late::cut);

        chat.nanos += timeout / 2 - 1;
        closes.cutOverdue();
        assertEquals(0, early.cuts(), "cut before its send timeout");

        chat.nanos += 1;
        closes.cutOverdue();
        assertEquals(1, early.cuts());
        assertEquals(0, late.cuts(), "cut before its send timeout");
        assertEquals(1, closes.watching());

        chat.nanos += timeout;
        closes.cutOverdue();
        closes.cutOverdue();
        assertEquals(1, late.cuts());
        assertEquals(1, early.cuts(), "cut twice");
        assertEquals(0, closes.watching(), "a cut socket is still watched");
    }

    @Test
    void onlySocketsStillOpenWhenCutAreCounted() {
        FakePeer answered = FakePeer.inline("answered");
        FakePeer silent = FakePeer.inline("silent");
        answered.cut(); // closed normally meanwhile: the next cut finds it gone
        closes.watch(answered::cut);
        closes.watch(silent::cut);

        chat.nanos += timeout;
        closes.cutOverdue();

        assertEquals(1, chat.metrics.socketsCut());
    }

    @Test
    void pastItsBoundTheOldestCloseIsCutAtOnceSoTheQueueStaysBoundedWhenNoSweepComes() {
        FakePeer oldest = FakePeer.inline("oldest");
        closes.watch(oldest::cut);
        for (int i = 0; i < UnansweredCloses.MAX_WATCHED - 1; i++) {
            closes.watch(() -> true);
        }
        assertEquals(0, oldest.cuts());

        closes.watch(() -> true);

        assertEquals(1, oldest.cuts());
        assertEquals(UnansweredCloses.MAX_WATCHED, closes.watching());
    }
}
