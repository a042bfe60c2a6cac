package dev.chorus.testsupport.plain;

import jakarta.inject.Inject;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The WebSocket endpoint of the plain WAR: answers each message with its number. The plain WAR is
 * what a server must let go of after an undeploy when the application itself holds nothing, the
 * control beside Chorus in {@code dev.chorus.edge.RedeployIT}.
 */
@ServerEndpoint("/chat/{room}")
public class PlainEndpoint {

    @Inject
    PlainCounter counter;

    @OnMessage
    public String answer(String message) {
        return counter.next() + ": " + message;
    }
}
