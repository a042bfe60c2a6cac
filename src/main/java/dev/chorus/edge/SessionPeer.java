package dev.chorus.edge;

import dev.chorus.container.ContainerContext;
import dev.chorus.container.ContainerSocket;
import dev.chorus.container.TextSender;
import dev.chorus.outbound.BatchWindow;
import dev.chorus.outbound.Peer;
import dev.chorus.outbound.SendLanes;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link Peer} that writes to a container's WebSocket session. */
public final class SessionPeer implements Peer {

    private static final Logger LOG = Logger.getLogger(SessionPeer.class.getName());

    private final Session session;
    private final boolean batched;
    private final UnansweredCloses closes;
    /** Found while the session opens: later, on Payara, the way to it may lead to another connection. */
    private final ContainerSocket socket;
    private final TextSender text;
    private final Executor writer;
    private final BatchWindow batchWindow;

    SessionPeer(Session session, boolean batched, UnansweredCloses closes, SendLanes lanes) {
        this(session, batched, closes, TextSender.of(session), lanes);
    }

    /**
     * A peer that takes one event per frame, through the session's async remote: for a connection
     * that is refused or closed, which gets at most one frame, so finding a faster way is not worth it.
     */
    SessionPeer(Session session, UnansweredCloses closes) {
        this(session, false, closes, TextSender.asyncRemote(session), null);
    }

    private SessionPeer(Session session, boolean batched, UnansweredCloses closes, TextSender text, SendLanes lanes) {
        this.session = session;
        this.batched = batched;
        this.closes = closes;
        this.socket = ContainerSocket.of(session);
        this.text = text;
        // Undertow's I/O thread where it has one; a lane where a send writes on the caller's
        // thread (Tyrus, whether Chorus frames its sends or Tyrus does), which is where lanes pay.
        this.writer = socket.writer() != null ? socket.writer()
                : lanes != null && text.takesLane() ? lanes.assign() : null;
        this.batchWindow = batched && lanes != null ? lanes.batchWindow() : null;
    }

    @Override
    public boolean takesBatches() {
        return batched;
    }

    @Override
    public void send(String frame, SendHandler done) {
        text.send(frame, done);
    }

    @Override
    public BatchWindow batchWindow() {
        return batchWindow;
    }

    @Override
    public Executor writer() {
        return writer;
    }

    @Override
    public boolean writesRuns() {
        return text.writesRuns();
    }

    @Override
    public void sendRun(List<String> frames, SendHandler done) {
        text.sendRun(frames, done);
    }

    @Override
    public void sendLines(List<String> lines, SendHandler done) {
        text.sendLines(lines, done);
    }

    /**
     * Refuses a connection from within @OnOpen: sends the error event, and closes only when that
     * write completes. Payara (Tyrus over servlet upgrade) recycles the upgrade request if the
     * connection closes while @OnOpen still runs, and then neither side sees the close (seen as
     * an NPE in Request.upgrade and a client waiting forever); its writes during @OnOpen complete
     * only once the upgrade is done, so closing from the completion is safe.
     */
    void refuse(String errorEvent, CloseReason reason) {
        text.send(errorEvent, result -> close(reason));
    }

    @Override
    public void ping() throws IOException {
        session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
    }

    @Override
    public void close(CloseReason reason) {
        if (!session.isOpen()) {
            return;
        }
        try {
            ContainerContext.close(session, reason);
            if (socket.isOpen()) {
                // Not for a socket already gone (most closes after an error): nothing to cut.
                closes.watch(socket::cut);
            }
        } catch (IOException | IllegalStateException e) {
            // The socket is already broken: the container reports it through @OnClose/@OnError.
            LOG.log(Level.FINE, "Closing session {0} failed: {1}", new Object[] {session.getId(), e});
        }
    }

    @Override
    public boolean isConnected() {
        return socket.isOpen();
    }

    @Override
    public boolean cut() {
        return socket.cut();
    }

    @Override
    public String toString() {
        return "session " + session.getId();
    }
}
