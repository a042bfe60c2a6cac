package dev.chorus.container;

import dev.chorus.container.Workarounds.Workaround;
import jakarta.websocket.Session;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

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
 * does. Anything else: {@link #cut} does nothing, and says so once at FINE. A Tyrus or Undertow
 * laid out differently cuts nothing either, and reports the fallback ({@link Workarounds}): a
 * container update that moved a field would otherwise bring back the 1 MB per client unseen.
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
        return of(session, WebSocketImplementation.of(session), Workarounds.ON_THIS_SERVER);
    }

    /**
     * Finds the connection under a session of {@code implementation}, reporting to
     * {@code workarounds} whether its layout was the known one.
     */
    static ContainerSocket of(Session session, WebSocketImplementation implementation, Workarounds workarounds) {
        return switch (implementation) {
            case UNDERTOW -> undertow(session, workarounds);
            case TYRUS -> grizzly(session, workarounds);
            case OTHER -> unknown(session);
        };
    }

    /** Undertow: the session's WebSocket channel, closed as {@code UndertowSession.forceClose()} does. */
    private static ContainerSocket undertow(Session session, Workarounds workarounds) {
        Object channel;
        Method isOpen;
        Method close;
        try {
            channel = publicMethod(session, "getWebSocketChannel").invoke(session);
            if (channel == null) {
                return unknown(session);
            }
            isOpen = publicMethod(channel, "isOpen");
            close = publicMethod(channel, "close");
        } catch (ReflectiveOperationException | RuntimeException e) {
            String why = why(e);
            workarounds.fellBack(Workaround.UNDERTOW_SOCKET_CUT, why);
            workarounds.fellBack(Workaround.UNDERTOW_IO_THREAD, why);
            return unknown(session);
        }
        workarounds.active(Workaround.UNDERTOW_SOCKET_CUT);
        return new ContainerSocket(channel, isOpen, close, ioThread(channel, workarounds));
    }

    /** The XNIO I/O thread that writes the channel, or null where it is not found. */
    private static Executor ioThread(Object channel, Workarounds workarounds) {
        try {
            Object thread = publicMethod(channel, "getIoThread").invoke(channel);
            if (thread instanceof Executor executor) {
                workarounds.active(Workaround.UNDERTOW_IO_THREAD);
                return executor;
            }
            workarounds.fellBack(Workaround.UNDERTOW_IO_THREAD, channel.getClass().getName()
                    + ".getIoThread() gave " + (thread == null ? "null" : "a " + thread.getClass().getName()) + ", not an Executor");
        } catch (ReflectiveOperationException | RuntimeException e) {
            workarounds.fellBack(Workaround.UNDERTOW_IO_THREAD, why(e));
        }
        return null;
    }

    /** Tyrus over Grizzly: the Grizzly connection under the upgrade, terminated silently. */
    private static ContainerSocket grizzly(Session session, Workarounds workarounds) {
        try {
            Object connection = ContainerFields.follow(session, TYRUS_TO_GRIZZLY);
            if (connection == null) {
                // A field along the way is not set: this connection only (it closed while opening).
                LOG.log(Level.FINE, "No Grizzly connection under {0} (closed already?)", session);
                return UNKNOWN;
            }
            Method isOpen = publicMethod(connection, "isOpen");
            Method terminate = publicMethod(connection, "terminateSilently");
            workarounds.active(Workaround.GRIZZLY_SOCKET_CUT);
            return new ContainerSocket(connection, isOpen, terminate, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            workarounds.fellBack(Workaround.GRIZZLY_SOCKET_CUT, why(e));
            return UNKNOWN;
        }
    }

    private static ContainerSocket unknown(Session session) {
        if (!unknownLogged) {
            unknownLogged = true;
            LOG.log(Level.FINE, "Cannot cut sockets of {0}: a client that never reads keeps its socket until it goes",
                    session.getClass().getName());
        }
        return UNKNOWN;
    }

    /** What a failed reflective step says, for a workaround's warning. */
    static String why(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
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

    /** The public no-argument method, looked up where it is public (the runtime class may not be). */
    private static Method publicMethod(Object target, String name) throws NoSuchMethodException {
        try {
            Method method = target.getClass().getMethod(name);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new NoSuchMethodException(target.getClass().getName() + " has no public " + name + "()");
        }
    }
}
