package dev.chorus.container;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts sending whole text frames to one session. On Tyrus (Payara) the frame is built once per
 * event and sending thread, for all the receivers it goes to ({@link TyrusFramedSender}); on
 * Undertow (WildFly) through the session's async remote, a backlog through the batching API
 * ({@link BatchingRemoteSender}); on any other container, or a Tyrus laid out differently, through
 * the async remote alone. The first two write a backlog of frames in one write.
 */
@FunctionalInterface
public interface TextSender {

    /** As {@link jakarta.websocket.RemoteEndpoint.Async#sendText(String, SendHandler)}. */
    void send(String text, SendHandler done);

    /** Whether {@link #sendRun} writes several frames at once. */
    default boolean writesRuns() {
        return false;
    }

    /** Starts sending these texts, each as its own frame, in order, in one write. */
    default void sendRun(List<String> texts, SendHandler done) {
        throw new UnsupportedOperationException("one frame per write");
    }

    /** The fastest sender for the session; call it while the session opens. */
    static TextSender of(Session session) {
        if (session.getClass().getName().startsWith("org.glassfish.tyrus.")) {
            try {
                TextSender framed = TyrusFramedSender.of(session);
                if (framed != null) {
                    return framed;
                }
                Logger.getLogger(TextSender.class.getName()).log(Level.FINE,
                        "Tyrus frames every send itself: an extension was negotiated, or its fields moved");
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                Logger.getLogger(TextSender.class.getName())
                        .log(Level.FINE, "Tyrus frames every send itself for this session", e);
            }
        }
        if (session.getClass().getName().startsWith("io.undertow.")) {
            return new BatchingRemoteSender(session.getAsyncRemote());
        }
        return asyncRemote(session);
    }

    /** Through the session's async remote, one frame per write, on any container. */
    static TextSender asyncRemote(Session session) {
        return (text, done) -> session.getAsyncRemote().sendText(text, done);
    }
}
