package dev.chorus.outbound;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The far end of one connection, as its outbox sees it: something that takes one text frame
 * at a time and can be closed. {@code edge.SessionPeer} backs it with a WebSocket session; tests back
 * it with fakes, so the registry runs without a server.
 */
public interface Peer {

    /**
     * Starts sending one text frame and returns without waiting for the network. The handler
     * is called exactly once, on any thread, possibly before this method returns. The caller
     * never starts a second send before the handler of the first one has been called.
     */
    void send(String frame, SendHandler done);

    /**
     * Whether {@link #sendRun} can write several frames in one write: the container lets Chorus
     * hand it whole frames (Tyrus) or holds frames until a flush (Undertow's batching; see
     * {@code container.TextSender}). A backlog then costs one write instead of one per event,
     * while each event stays a frame of its own.
     */
    default boolean writesRuns() {
        return false;
    }

    /**
     * As {@link #send}, for several frames in order, in one write; called only when
     * {@link #writesRuns} says so.
     */
    default void sendRun(List<String> frames, SendHandler done) {
        throw new UnsupportedOperationException("one frame per write");
    }

    /**
     * As {@link #send}, for several events in one frame, one per line; called only when
     * {@link #takesBatches} says so. JSON as {@code protocol.ServerEvents} writes it never holds
     * a raw line break, so the lines are the events.
     */
    default void sendLines(List<String> lines, SendHandler done) {
        send(String.join("\n", lines), done);
    }

    /**
     * Where this connection's sends are best started: the thread the container writes it on, if
     * a send from any other thread is handed over to it one frame at a time (Undertow), or the
     * {@link SendLanes lane} it was given where a send writes on the calling thread and a backlog
     * goes out in one write (Tyrus); null to write from whichever thread queued the frame. A
     * broadcast hands each such executor all of its members' sends at once.
     */
    default Executor writer() {
        return null;
    }

    /**
     * Sends a ping control frame; the client's pong shows it is still there. Called under the
     * same one-write-at-a-time rule as {@link #send}.
     *
     * @throws java.io.IOException if the connection is broken
     */
    void ping() throws java.io.IOException;

    /**
     * Whether the client takes several events in one text frame, one per line: it asked to
     * ({@code ?batch=1}), so a backlog can go out in one write instead of one write per event.
     */
    default boolean takesBatches() {
        return false;
    }

    /**
     * How long this client's events may wait to go out together, if it takes batches and the
     * node waits for batches at all; null: every event is sent as soon as it is queued.
     */
    default BatchWindow batchWindow() {
        return null;
    }

    /** Closes the connection; a peer that is already gone ignores it. */
    void close(CloseReason reason);

    /**
     * False once the container's connection under this peer has closed, whether or not the
     * container reported it: a connection can die unreported (Tyrus loses a disconnect that comes
     * while it sets the connection up). True where that cannot be told.
     */
    default boolean isConnected() {
        return true;
    }

    /**
     * Drops the connection at once, without the closing handshake and with whatever is still
     * queued for it: for a client that was closed but does not read, so never answers. Returns
     * whether the connection was still open (false as well where it cannot be cut).
     */
    default boolean cut() {
        return false;
    }
}
