package dev.chorus.chat;

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

    @OnMessage
    public void message(Session session, String text) {
        connections.say(session, text);
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
