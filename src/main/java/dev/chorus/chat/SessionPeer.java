package dev.chorus.chat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A {@link Peer} that writes to a container's WebSocket session. */
final class SessionPeer implements Peer {

    private static final Logger LOG = Logger.getLogger(SessionPeer.class.getName());

    private final Session session;

    SessionPeer(Session session) {
        this.session = session;
    }

    @Override
    public void send(String frame, SendHandler done) {
        session.getAsyncRemote().sendText(frame, done);
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
            session.close(reason);
        } catch (IOException | IllegalStateException e) {
            // The socket is already broken: the container reports it through @OnClose/@OnError.
            LOG.log(Level.FINE, "Closing session {0} failed: {1}", new Object[] {session.getId(), e});
        }
    }

    @Override
    public String toString() {
        return "session " + session.getId();
    }
}
