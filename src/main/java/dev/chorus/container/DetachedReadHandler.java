package dev.chorus.container;

import dev.chorus.container.Workarounds.Workaround;
import dev.chorus.protocol.CloseReasons;
import jakarta.websocket.CloseReason;
import jakarta.servlet.http.WebConnection;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;
import org.glassfish.tyrus.spi.Connection;

/**
 * Tyrus's upgrade handler, but its reads run on reader threads of their own, never inside the
 * container's read callback. Payara runs that callback holding a monitor of the connection's
 * read handler, and Tyrus reads and writes inside it; two deadlocks follow:
 * <ul>
 * <li>Tyrus registers its read listener before it creates the connection, and its read waits for
 * that connection. When the client's first frame came with the handshake, Payara calls the
 * listener at once, on the thread that registers it: that thread waits for itself, for good.</li>
 * <li>A read that writes (Tyrus answering a close frame or a ping, the application answering a
 * message) holds the read monitor and wants the connection's writer; a send from another thread
 * that fails holds the writer, and Grizzly's close of the connection, run inline, wants the read
 * monitor. Both threads hang for good (five pairs in a 30-minute soak).</li>
 * </ul>
 * Here the callback only hands the read over and returns, releasing the monitor; a read reported
 * before the connection exists is handed over once it does. One read runs at a time: the
 * container reports more data only after a read has drained what was there.
 * <p>
 * Once its connection is closed it also takes itself out of the container's request: Payara's
 * request keeps its upgrade handler when it is recycled, and recycled requests are cached on the
 * thread that closed the connection (an admin thread, for the closes of an undeploy), so a handler
 * left there held its application's class loader after the undeploy, for as long as that cached
 * request was not upgraded again.
 */
public class DetachedReadHandler extends TyrusHttpUpgradeHandler {

    private static final Logger LOG = Logger.getLogger(DetachedReadHandler.class.getName());
    private static final int SETTING_UP = 0;
    private static final int READ_WAITING = 1;
    private static final int OPEN = 2;

    /** From Payara's {@code WebConnection} to the request that upgraded, and that request's field holding this handler. */
    private static final List<String> CONNECTION_TO_REQUEST = List.of("request");
    private static final String REQUEST_HANDLER = "httpUpgradeHandler";
    /** Tyrus's connection of this handler, which closes with a code. */
    private static final List<String> TYRUS_CONNECTION = List.of("connection");

    private final AtomicInteger state = new AtomicInteger(SETTING_UP);
    private volatile Executor readers = Runnable::run;
    private volatile Workarounds workarounds = Workarounds.ON_THIS_SERVER;
    /** The container's connection (named apart from Tyrus's own {@code connection} field, which {@link #refuse} reaches). */
    private volatile WebConnection upgraded;
    /** The check of the client's frame headers, if one was asked for before the connection opened. */
    private volatile FrameHeaders headers;
    private final AtomicBoolean refused = new AtomicBoolean();

    /**
     * Where reads run: never the container's read callback, nor the thread that set the
     * connection up; and where taking itself out of the request is reported.
     */
    void readOn(Executor readers, Workarounds workarounds) {
        this.readers = readers;
        this.workarounds = workarounds;
    }

    /**
     * Checks every frame header the client sends before Tyrus buffers the frame: an unmasked frame
     * closes with 1002, a message announcing more than {@code maxMessageBytes} with 1009.
     */
    void checkFrames(int maxMessageBytes) {
        this.headers = new FrameHeaders(maxMessageBytes);
    }

    @Override
    public void init(WebConnection connection) {
        this.upgraded = connection;
        FrameHeaders checked = headers;
        super.init(checked == null ? connection : new CheckedWebConnection(connection, checked));
        if (state.getAndSet(OPEN) == READ_WAITING) {
            handOver();
        }
    }

    @Override
    public void onDataAvailable() {
        for (int now = state.get(); now != OPEN; now = state.get()) {
            if (now == READ_WAITING || state.compareAndSet(SETTING_UP, READ_WAITING)) {
                return;
            }
        }
        handOver();
    }

    /** Called by the container once the connection is closed: the last it does with this handler. */
    @Override
    public void destroy() {
        try {
            super.destroy();
        } finally {
            leaveRequest();
        }
    }

    /** Takes this handler out of the container's request, where the container would keep it. */
    private void leaveRequest() {
        WebConnection closed = upgraded;
        upgraded = null;
        if (closed == null) {
            return;
        }
        try {
            Object request = ContainerFields.follow(closed, CONNECTION_TO_REQUEST);
            if (request != null) {
                ContainerFields.clear(request, REQUEST_HANDLER, this);
                workarounds.active(Workaround.PAYARA_REQUEST_RELEASE);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            workarounds.fellBack(Workaround.PAYARA_REQUEST_RELEASE, ContainerSocket.why(e));
        }
    }

    private void handOver() {
        try {
            readers.execute(this::read);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "No reader thread (stopping?); reading on the container's thread", e);
            read();
        }
    }

    private void read() {
        try {
            super.onDataAvailable();
        } catch (RuntimeException e) {
            // What the container's callback does with a failed read: report it, which closes.
            onError(e);
        }
        FrameHeaders checked = headers;
        if (checked != null && checked.verdict() != FrameHeaders.Verdict.PASS && refused.compareAndSet(false, true)) {
            refuse(checked);
        }
    }

    /**
     * Closes through Tyrus, which sends the close frame and then closes the socket: 1002 for an
     * unmasked frame (RFC 6455 §5.1), 1009 for a message over the limit. Tyrus keeps its
     * connection in a private field; where that is not found, the read fails instead (Tyrus
     * closes, without the code).
     */
    private void refuse(FrameHeaders checked) {
        CloseReason reason = checked.verdict() == FrameHeaders.Verdict.UNMASKED
                ? new CloseReason(CloseReason.CloseCodes.PROTOCOL_ERROR, "unmasked client frame")
                : CloseReasons.tooBig((int) checked.maxMessageBytes());
        try {
            ((Connection) ContainerFields.follow(this, TYRUS_CONNECTION)).close(reason);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "Could not close with " + reason.getCloseCode().getCode() + " through Tyrus; failing the read", e);
            onError(new IllegalStateException(reason.getReasonPhrase()));
        }
    }
}
