package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The context a session is closed under: on Undertow the container's class loader, so that the
 * work WildFly's pool records for the close does not keep Chorus after an undeploy; on Tyrus the
 * closing thread's own, as Tyrus runs @OnClose on it.
 */
class ContainerContextTest {

    /** Stands for Chorus' class loader, the context of the thread that closes. */
    private final ClassLoader application = new URLClassLoader(new URL[0], null);
    private final ClassLoader before = Thread.currentThread().getContextClassLoader();
    private final ContextRecordingSession session = new ContextRecordingSession();

    @AfterEach
    void restoreContext() {
        Thread.currentThread().setContextClassLoader(before);
    }

    @Test
    void onUndertowTheCloseRunsWithTheContainersClassLoaderAndTheThreadGetsItsOwnBack() throws IOException {
        Thread.currentThread().setContextClassLoader(application);

        ContainerContext.close(session, new CloseReason(CloseReason.CloseCodes.GOING_AWAY, ""), WebSocketImplementation.UNDERTOW);

        assertSame(ContextRecordingSession.class.getClassLoader(), session.contextWhileClosing);
        assertSame(application, Thread.currentThread().getContextClassLoader());
    }

    @Test
    void onTyrusTheCloseRunsWithTheThreadsOwnContext() throws IOException {
        Thread.currentThread().setContextClassLoader(application);

        ContainerContext.close(session, new CloseReason(CloseReason.CloseCodes.GOING_AWAY, ""), WebSocketImplementation.TYRUS);

        assertSame(application, session.contextWhileClosing);
    }

    @Test
    void aCloseThatThrowsStillGivesTheThreadItsOwnContextBack() {
        Thread.currentThread().setContextClassLoader(application);
        session.fail = true;

        assertThrows(IllegalStateException.class, () -> ContainerContext.close(session,
                new CloseReason(CloseReason.CloseCodes.GOING_AWAY, ""), WebSocketImplementation.UNDERTOW));

        assertSame(application, Thread.currentThread().getContextClassLoader());
    }

    /** Records the context class loader its close ran with. */
    private static final class ContextRecordingSession extends StubSession {
        volatile ClassLoader contextWhileClosing;
        volatile boolean fail;

        @Override
        public void close(CloseReason reason) {
            contextWhileClosing = Thread.currentThread().getContextClassLoader();
            if (fail) {
                throw new IllegalStateException("already closed");
            }
        }
    }
}
