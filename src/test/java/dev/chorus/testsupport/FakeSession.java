package dev.chorus.testsupport;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A container session as the endpoint's callbacks get it, without a server: it takes the query
 * parameters of a handshake, completes every send at once, and records what was sent and how it
 * was closed. Only the methods Chorus calls answer; any other throws.
 */
public final class FakeSession {

    private final Map<String, List<String>> parameters;
    private final Map<String, Object> userProperties = new ConcurrentHashMap<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile CloseReason closedWith;
    private final Session session;

    public FakeSession(Map<String, List<String>> parameters) {
        this.parameters = parameters;
        RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "sendText" -> {
                        sent.add((String) args[0]);
                        ((SendHandler) args[1]).onResult(new SendResult());
                        yield null;
                    }
                    case "sendPing" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRequestParameterMap" -> this.parameters;
                    case "getUserProperties" -> userProperties;
                    case "getUserPrincipal" -> null;
                    case "getAsyncRemote" -> remote;
                    case "isOpen" -> closedWith == null;
                    case "getId" -> "fake";
                    case "setMaxTextMessageBufferSize" -> null;
                    case "close" -> {
                        closedWith = (CloseReason) args[0];
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake session";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    public Session session() {
        return session;
    }

    public List<String> sent() {
        return sent;
    }

    /** How the server closed it, or null while open. */
    public CloseReason closedWith() {
        return closedWith;
    }
}
