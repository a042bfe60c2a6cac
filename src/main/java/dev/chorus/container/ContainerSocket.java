package dev.chorus.container;

import jakarta.websocket.Session;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container's own connection under a WebSocket session, which Chorus can drop at once,
 * without the closing handshake. The standard API closes only by sending a close frame, and
 * neither container lets go of the socket before that frame is written and, on Tyrus, answered:
 * a client that stops reading never reads it, so its socket stays open, with every frame queued
 * for it, for as long as the client's kernel keeps acknowledging (measured on Payara: about 1 MB
 * of heap per such client, for good; on both servers, the file descriptor).
 * <p>
 * Tyrus over Grizzly (Payara, GlassFish): the Grizzly connection is found through the upgrade's
 * output buffer when the session opens, while that buffer still belongs to this connection (it
 * is recycled for other connections later), and is terminated, which discards what is queued.
 * Undertow (WildFly): the session's WebSocket channel is closed, as {@code UndertowSession.forceClose()}
 * does. Anything else: {@link #cut} does nothing, and says so once at FINE.
 */
public final class ContainerSocket {

    private static final Logger LOG = Logger.getLogger(ContainerSocket.class.getName());
    /**
     * From a Tyrus session to the Grizzly connection under its servlet upgrade (Tyrus 2.1 and
     * Payara field names; name?: followed only where it is set). Payara's build hands the writer a
     * proxy of the upgrade handler that keeps the one the container initialised in {@code handler}.
     */
    private static final List<String> TYRUS_TO_GRIZZLY = Stream.of(ContainerFields.TYRUS_SESSION_TO_SOCKET,
            ContainerFields.TYRUS_SOCKET_TO_WRITER, List.of("tyrusHttpUpgradeHandler", "handler?", "os", "ob",
                    "grizzlyOutputBuffer", "connection")).flatMap(List::stream).toList();
    private static final ContainerSocket UNKNOWN = new ContainerSocket(null, null, null, null);
    private static volatile boolean unknownLogged;

    private final Object connection;
    private final Method isOpen;
    private final Method cut;
    private final Executor writer;

    private ContainerSocket(Object connection, Method isOpen, Method cut, Executor writer) {
        this.connection = connection;
        this.isOpen = isOpen;
        this.cut = cut;
        this.writer = writer;
    }

    /** Finds the connection under the session; call it while the session opens. */
    public static ContainerSocket of(Session session) {
        try {
            Method undertowChannel = publicMethod(session, "getWebSocketChannel");
            Object connection = undertowChannel != null ? undertowChannel.invoke(session) : grizzlyConnection(session);
            String cut = undertowChannel != null ? "close" : "terminateSilently";
            Method isOpen = connection == null ? null : publicMethod(connection, "isOpen");
            Method cutting = connection == null ? null : publicMethod(connection, cut);
            if (isOpen != null && cutting != null) {
                Method ioThread = undertowChannel != null ? publicMethod(connection, "getIoThread") : null;
                Object writer = ioThread == null ? null : ioThread.invoke(connection);
                return new ContainerSocket(connection, isOpen, cutting, writer instanceof Executor executor ? executor : null);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "No way to cut the socket of " + session.getClass().getName(), e);
        }
        if (!unknownLogged) {
            unknownLogged = true;
            LOG.log(Level.FINE, "Cannot cut sockets of {0}: a client that never reads keeps its socket until it goes",
                    session.getClass().getName());
        }
        return UNKNOWN;
    }

    /**
     * The thread that writes this connection, where a send from any other thread is handed over
     * to it as a task of its own (Undertow: each frame is queued for the channel's XNIO I/O thread,
     * which is woken for it); null where a send writes on the calling thread (Tyrus over Grizzly).
     * Sends made on this thread write at once.
     */
    public Executor writer() {
        return writer;
    }

    /** False once the connection has closed; true while open, or where that cannot be told. */
    public boolean isOpen() {
        if (connection == null) {
            return true;
        }
        try {
            return Boolean.TRUE.equals(isOpen.invoke(connection));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    /**
     * Drops the connection now, discarding whatever is still queued for it. Returns whether it
     * was still open: false for one that closed meanwhile (it stays closed) or cannot be cut here.
     */
    public boolean cut() {
        if (connection == null) {
            return false;
        }
        try {
            if (!Boolean.TRUE.equals(isOpen.invoke(connection))) {
                return false;
            }
            cut.invoke(connection);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "Cutting a socket failed", e);
            return false;
        }
    }

    private static Object grizzlyConnection(Session session) throws IllegalAccessException {
        return ContainerFields.follow(session, TYRUS_TO_GRIZZLY);
    }

    /** The public no-argument method, looked up where it is public (the runtime class may not be). */
    private static Method publicMethod(Object target, String name) {
        try {
            Method method = target.getClass().getMethod(name);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            return null;
        } catch (RuntimeException e) {
            // Not accessible from here (a module that does not open it).
            return null;
        }
    }
}
