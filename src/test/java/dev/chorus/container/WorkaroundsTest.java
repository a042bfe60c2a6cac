package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.container.Workarounds.State;
import dev.chorus.container.Workarounds.Workaround;
import java.text.MessageFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an operator sees of a fallback: one WARNING naming it and the server, and a state that stays. */
class WorkaroundsTest {

    private final Logger log = Logger.getLogger(Workarounds.class.getName());
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler recording = new Handler() {
        @Override
        public void publish(LogRecord entry) {
            if (entry.getLevel() == Level.WARNING) {
                warnings.add(entry);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Workarounds workarounds = new Workarounds();

    WorkaroundsTest() {
        log.addHandler(recording);
    }

    @AfterEach
    void stopRecording() {
        log.removeHandler(recording);
    }

    @Test
    void aFallbackIsWarnedOfOnceNamingTheWorkaroundAndTheServer() {
        workarounds.runOn("Payara Micro 6.2099.1", null);

        for (int connection = 0; connection < 3; connection++) {
            workarounds.fellBack(Workaround.GRIZZLY_SOCKET_CUT, "no field connection");
        }

        assertEquals(1, warnings.size());
        String message = MessageFormat.format(warnings.get(0).getMessage(), warnings.get(0).getParameters());
        assertTrue(message.contains("grizzly-socket-cut") && message.contains("Payara Micro 6.2099.1")
                && message.contains("no field connection"), message);
    }

    @Test
    void aWorkaroundThatFellBackOnceStaysFallenBack() {
        workarounds.fellBack(Workaround.TYRUS_FRAMED_SEND, "moved");
        workarounds.active(Workaround.TYRUS_FRAMED_SEND);

        assertFalse(workarounds.states().get("tyrus-framed-send").active());
    }

    @Test
    void listsOnlyTheWorkaroundsTriedByName() {
        workarounds.active(Workaround.UNDERTOW_SOCKET_CUT);
        workarounds.fellBack(Workaround.UNDERTOW_IO_THREAD, "moved");
        workarounds.active(Workaround.UNDERTOW_IO_THREAD);

        assertEquals(Map.of("undertow-socket-cut", new State(true, ""), "undertow-io-thread", new State(false, "moved")),
                workarounds.states());
        assertEquals(1, warnings.size());
    }
}
