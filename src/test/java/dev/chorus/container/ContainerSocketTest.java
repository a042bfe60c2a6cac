package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.container.Workarounds.State;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cutting a non-reading client's socket on each container, and what happens when a container
 * update moves a field on the way: no cut, and the workaround reported fallen back with the step
 * that is missing, so the operator learns of it before the heap fills.
 */
class ContainerSocketTest {

    private final Workarounds workarounds = new Workarounds();

    @Test
    void cutsTheGrizzlyConnectionUnderATyrusSessionLaidOutAsPayarasIs() {
        TyrusLayout.GrizzlyConnection connection = new TyrusLayout.GrizzlyConnection();

        ContainerSocket socket = ContainerSocket.of(TyrusLayout.session(null, connection), WebSocketImplementation.TYRUS, workarounds);

        assertTrue(socket.cut());
        assertFalse(connection.isOpen());
        assertEquals(Map.of("grizzly-socket-cut", new State(true, "")), workarounds.states());
    }

    @Test
    void cutsUnderTyrussOwnBuildToo() {
        TyrusLayout.GrizzlyConnection connection = new TyrusLayout.GrizzlyConnection();

        ContainerSocket socket = ContainerSocket.of(TyrusLayout.session("handler", connection), WebSocketImplementation.TYRUS,
                workarounds);

        assertTrue(socket.cut());
        assertTrue(workarounds.states().get("grizzly-socket-cut").active());
    }

    @ParameterizedTest
    @ValueSource(strings = {"asyncRemote", "webSocket", "protocolHandler", "writer", "tyrusHttpUpgradeHandler", "os", "ob",
        "grizzlyOutputBuffer", "connection"})
    void aTyrusSessionMissingAStepIsNotCutAndTheFallbackNamesTheStep(String missing) {
        TyrusLayout.GrizzlyConnection connection = new TyrusLayout.GrizzlyConnection();

        ContainerSocket socket = ContainerSocket.of(TyrusLayout.session(missing, connection), WebSocketImplementation.TYRUS,
                workarounds);

        assertFalse(socket.cut());
        assertTrue(connection.isOpen());
        State state = workarounds.states().get("grizzly-socket-cut");
        assertFalse(state.active());
        assertTrue(state.why().contains("no field " + missing), state.why());
    }

    @Test
    void aGrizzlyConnectionThatCannotBeTerminatedSilentlyIsAFallback() {
        ContainerSocket socket = ContainerSocket.of(TyrusLayout.session(null, new TyrusLayout.ConnectionWithoutTerminate()),
                WebSocketImplementation.TYRUS, workarounds);

        assertFalse(socket.cut());
        assertTrue(workarounds.states().get("grizzly-socket-cut").why().contains("terminateSilently()"));
    }

    /** A connection that closed while it opened has nothing to cut, and says nothing of the layout. */
    @Test
    void aStepNotSetIsThisConnectionsAndNoFallback() {
        ContainerSocket socket = ContainerSocket.of(TyrusLayout.session(null, null), WebSocketImplementation.TYRUS, workarounds);

        assertFalse(socket.cut());
        assertEquals(Map.of(), workarounds.states());
    }

    @Test
    void closesTheUndertowChannelAndHandsItsIoThreadOut() {
        UndertowChannel channel = new UndertowChannel();

        ContainerSocket socket = ContainerSocket.of(new UndertowSession(channel), WebSocketImplementation.UNDERTOW, workarounds);

        assertSame(channel.ioThread, socket.writer());
        assertTrue(socket.cut());
        assertFalse(channel.isOpen());
        assertEquals(Map.of("undertow-socket-cut", new State(true, ""), "undertow-io-thread", new State(true, "")),
                workarounds.states());
    }

    @Test
    void anUndertowSessionWithoutItsChannelFallsBackOnBoth() {
        ContainerSocket socket = ContainerSocket.of(new TyrusLayout.BareSession(), WebSocketImplementation.UNDERTOW, workarounds);

        assertFalse(socket.cut());
        assertNull(socket.writer());
        assertFalse(workarounds.states().get("undertow-socket-cut").active());
        assertTrue(workarounds.states().get("undertow-io-thread").why().contains("getWebSocketChannel()"));
    }

    @Test
    void anUndertowChannelThatCannotCloseIsAFallback() {
        ContainerSocket socket = ContainerSocket.of(new UndertowSession(new ChannelWithoutClose()), WebSocketImplementation.UNDERTOW,
                workarounds);

        assertFalse(socket.cut());
        assertTrue(workarounds.states().get("undertow-socket-cut").why().contains("close()"));
    }

    @Test
    void anUndertowChannelWithoutItsIoThreadIsStillCut() {
        ChannelWithoutIoThread channel = new ChannelWithoutIoThread();

        ContainerSocket socket = ContainerSocket.of(new UndertowSession(channel), WebSocketImplementation.UNDERTOW, workarounds);

        assertNull(socket.writer());
        assertTrue(socket.cut());
        assertTrue(workarounds.states().get("undertow-socket-cut").active());
        assertTrue(workarounds.states().get("undertow-io-thread").why().contains("getIoThread()"));
    }

    @Test
    void anIoThreadThatIsNoExecutorIsAFallback() {
        UndertowChannel channel = new UndertowChannel();
        channel.ioThread = null;

        ContainerSocket socket = ContainerSocket.of(new UndertowSession(channel), WebSocketImplementation.UNDERTOW, workarounds);

        assertNull(socket.writer());
        assertFalse(workarounds.states().get("undertow-io-thread").active());
    }

    /** Any other container: nothing to cut, nothing that applies, nothing reported. */
    @Test
    void anotherContainersSessionIsLeftAlone() {
        ContainerSocket socket = ContainerSocket.of(new TyrusLayout.BareSession(), WebSocketImplementation.OTHER, workarounds);

        assertFalse(socket.cut());
        assertEquals(Map.of(), workarounds.states());
    }

    /** Undertow's session, as far as a cut uses it. */
    static final class UndertowSession extends StubSession {
        private final Object channel;

        UndertowSession(Object channel) {
            this.channel = channel;
        }

        public Object getWebSocketChannel() {
            return channel;
        }
    }

    /** Undertow's WebSocket channel: open until closed, written by its I/O thread. */
    static class ChannelWithoutIoThread {
        private boolean open = true;

        public boolean isOpen() {
            return open;
        }

        public void close() {
            open = false;
        }
    }

    static final class UndertowChannel extends ChannelWithoutIoThread {
        Object ioThread = (Executor) Runnable::run;

        public Object getIoThread() {
            return ioThread;
        }
    }

    static final class ChannelWithoutClose {
        public boolean isOpen() {
            return true;
        }

        public Object getIoThread() {
            return (Executor) Runnable::run;
        }
    }
}
