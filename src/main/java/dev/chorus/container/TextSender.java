package dev.chorus.container;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.util.List;

/**
 * Starts sending whole text frames to one session. On Tyrus (Payara) a frame, a run or a batch is
 * built once for all the receivers it goes to ({@link TyrusFramedSender}, {@link SharedFrames}); on
 * Undertow (WildFly) through the session's async remote, a backlog through the batching API
 * ({@link BatchingRemoteSender}); on any other container through the async remote alone, and on a
 * Tyrus laid out differently through Tyrus's own send, still on a send lane. The first two write a
 * backlog of frames in one write.
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

    /**
     * Starts sending these texts as one frame, one per line, for a client that takes batches;
     * joined once for every receiver whose backlog holds the same run ({@link SharedFrames}).
     */
    default void sendLines(List<String> lines, SendHandler done) {
        send(SharedFrames.joined(lines), done);
    }

    /**
     * Whether this connection's sends are best started on a send lane of its own
     * ({@code outbound.SendLanes}): the container writes on the calling thread, so a lane keeps a
     * broadcast's writes off the thread that read the message, or a backlog goes out in one write.
     */
    default boolean takesLane() {
        return writesRuns();
    }

    /** The fastest sender for the session; call it while the session opens. */
    static TextSender of(Session session) {
        return of(session, WebSocketImplementation.of(session), Workarounds.ON_THIS_SERVER);
    }

    /** The fastest sender for a session of {@code implementation}, reporting a fallback to {@code workarounds}. */
    static TextSender of(Session session, WebSocketImplementation implementation, Workarounds workarounds) {
        return switch (implementation) {
            case TYRUS -> framedOrTyrusOwn(session, workarounds);
            case UNDERTOW -> new BatchingRemoteSender(session.getAsyncRemote());
            case OTHER -> asyncRemote(session);
        };
    }

    /** Through the session's async remote, one frame per write, on any container. */
    static TextSender asyncRemote(Session session) {
        return (text, done) -> session.getAsyncRemote().sendText(text, done);
    }

    /**
     * Chorus' framing where Tyrus is laid out as known and no extension was negotiated, else
     * Tyrus's own send; either way on a lane, since Tyrus writes on the calling thread (without
     * one, a broadcast writes every member from the thread that read it: the measured collapse).
     */
    private static TextSender framedOrTyrusOwn(Session session, Workarounds workarounds) {
        try {
            TextSender framed = TyrusFramedSender.of(session, workarounds);
            if (framed != null) {
                return framed;
            }
        } catch (LinkageError e) {
            // Tyrus's classes are not the ones Chorus was built against.
            workarounds.fellBack(Workarounds.Workaround.TYRUS_FRAMED_SEND, e.toString());
        }
        return new TextSender() {
            @Override
            public void send(String text, SendHandler done) {
                session.getAsyncRemote().sendText(text, done);
            }

            @Override
            public boolean takesLane() {
                return true;
            }
        };
    }
}
