package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.container.Workarounds.State;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Tyrus session whose fields are not where Chorus frames its sends still gets every text,
 * through Tyrus's own send, and still on a send lane: without one, a broadcast writes each member
 * from the thread that read the message, the collapse measured at 79,000 deliveries/s.
 */
class TextSenderTest {

    private final Workarounds workarounds = new Workarounds();

    @ParameterizedTest
    @ValueSource(strings = {"asyncRemote", "webSocket", "protocolHandler", "writer"})
    void aTyrusSessionMissingAStepIsSentToByTyrusOnALane(String missing) {
        StubSession session = TyrusLayout.session(missing, null);

        TextSender sender = TextSender.of(session, WebSocketImplementation.TYRUS, workarounds);
        sender.send("hello", result -> { });

        assertEquals(List.of("hello"), session.sentThroughRemote);
        assertTrue(sender.takesLane());
        assertFalse(sender.writesRuns());
        State state = workarounds.states().get("tyrus-framed-send");
        assertFalse(state.active());
        assertTrue(state.why().contains("no field " + missing), state.why());
    }

    @Test
    void fieldsOfOtherTypesThanTyrussAreAFallback() {
        StubSession session = TyrusLayout.session(null, null);

        TextSender sender = TextSender.of(session, WebSocketImplementation.TYRUS, workarounds);

        assertTrue(sender.takesLane());
        assertTrue(workarounds.states().get("tyrus-framed-send").why().contains("TyrusWebSocket"));
    }

    @Test
    void anotherContainersSessionGetsNoLaneAndReportsNothing() {
        TextSender sender = TextSender.of(new TyrusLayout.BareSession(), WebSocketImplementation.OTHER, workarounds);

        assertFalse(sender.takesLane());
        assertEquals(Map.of(), workarounds.states());
    }
}
