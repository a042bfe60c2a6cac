package dev.chorus.edge;

import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;

/**
 * The WebSocket boundary: {@code ws://host/chorus/chat/{room}}. The container creates one
 * instance per connection, so this class keeps no state; {@link Connections} takes every callback.
 */
@ServerEndpoint("/chat/{room}")
public class ChatEndpoint {

    @Inject
    Connections connections;

    @OnOpen
    public void open(Session session, @PathParam("room") String room) {
        connections.open(room, session);
    }

    /**
     * Takes text in parts as the container reads them, so that Chorus counts a message's size
     * while it arrives: Undertow does not enforce the session's buffer size on whole messages
     * read across several reads (UNDERTOW-2770), and would buffer a 2^62-byte frame whole.
     */
    @OnMessage
    public void message(Session session, String part, boolean last) {
        connections.say(session, part, last);
    }

    @OnMessage
    public void binary(Session session, ByteBuffer data) {
        connections.refuseBinary(session);
    }

    @OnMessage
    public void pong(Session session, PongMessage pong) {
        connections.heard(session);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        connections.close(session, reason);
    }

    @OnError
    public void error(Session session, Throwable error) {
        connections.fail(session, error);
    }
}
