package dev.chorus.container;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts sending whole text frames to one session. On Tyrus (Payara) the frame is built once per
 * event and sending thread, for all the receivers it goes to ({@link TyrusFramedSender}); on any
 * other container, or a Tyrus laid out differently, through the session's async remote.
 */
@FunctionalInterface
public interface TextSender {

    /** As {@link jakarta.websocket.RemoteEndpoint.Async#sendText(String, SendHandler)}. */
    void send(String text, SendHandler done);

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
        return (text, done) -> session.getAsyncRemote().sendText(text, done);
    }
}
