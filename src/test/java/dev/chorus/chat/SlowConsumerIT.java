package dev.chorus.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A receiver that stops reading is dropped; everyone else keeps receiving everything. */
class SlowConsumerIT extends DeployedChorus {

    /** Within the burst the build configures (250), so the talker is never rate-limited. */
    private static final int MESSAGES = 200;
    /** Under the 64 KiB message limit; 200 of them are 12 MB, far past socket buffers and the 1 MiB queue bound. */
    private static final int MESSAGE_CHARS = 60_000;

    @Test
    void aClientThatNeverReadsIsDroppedWhileTheOthersGetEveryMessage() throws Exception {
        ChatClient talker = join("slow", "talker");
        ChatClient listener = join("slow", "listener");
        connectStalled("slow", "sloth");
        awaitMembers(3);
        long dropsBefore = metrics().get("chorus_slow_consumer_drops_total");

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            String text = i + ":" + "x".repeat(MESSAGE_CHARS);
            sent.add(text);
            talker.send(text);
        }

        assertEquals(sent, listener.nextTexts(MESSAGES));
        awaitMembers(2);
        assertEquals(dropsBefore + 1, metrics().get("chorus_slow_consumer_drops_total"));
    }
}
