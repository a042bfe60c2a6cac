package dev.chorus.container;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;

/**
 * Closes a session with the thread context class loader the container's own work should record.
 * Undertow (WildFly) hands what follows a close (the endpoint's @OnClose, the session's release)
 * to the server's worker pool, whose tasks keep the submitting thread's context class loader, and
 * a worker thread keeps the task it was started for as long as it lives: closed from a thread with
 * Chorus as context, such a task pins the undeployed application. So on Undertow the close runs with the
 * container's own class loader as context (Undertow sets the application's for @OnClose itself);
 * on Tyrus, which runs @OnClose on the closing thread, the thread keeps its own.
 */
public final class ContainerContext {

    private ContainerContext() {
    }

    /** Closes the session, as a container thread would on Undertow. */
    public static void close(Session session, CloseReason reason) throws IOException {
        close(session, reason, WebSocketImplementation.of(session));
    }

    static void close(Session session, CloseReason reason, WebSocketImplementation implementation) throws IOException {
        if (implementation != WebSocketImplementation.UNDERTOW) {
            session.close(reason);
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        thread.setContextClassLoader(session.getClass().getClassLoader());
        try {
            session.close(reason);
        } finally {
            thread.setContextClassLoader(own);
        }
    }
}
