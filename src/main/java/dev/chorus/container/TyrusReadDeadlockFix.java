package dev.chorus.container;

import dev.chorus.config.ChatSettings;
import dev.chorus.container.Workarounds.Workaround;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

/**
 * On Tyrus (Payara), has the WebSocket upgrade use {@link DetachedReadHandler}, whose reads run on
 * this filter's reader threads, so that neither of the two read deadlocks it describes can take
 * request threads (200 clients sending their first frame with the handshake stopped a node).
 * Tyrus's own filter upgrades the request it is handed and runs after the application's filters,
 * so it is handed the request this filter wraps. On any other container it passes requests
 * through untouched, never loads a Tyrus class and starts no thread. On Tyrus it also shrinks the
 * upgraded connection's output buffer ({@link #SEND_BUFFER_BYTES}).
 * <p>
 * Where Chorus' handler cannot be linked against this Tyrus or made (checked once at start), or
 * an upgrade to it fails, upgrades go to Tyrus's own handler from then on, and the fallback is
 * reported ({@link Workarounds}): a Tyrus update must not fail every connection.
 */
@WebFilter(urlPatterns = "/chat/*", asyncSupported = true)
public class TyrusReadDeadlockFix extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(TyrusReadDeadlockFix.class.getName());
    private static final String TYRUS_HANDLER = "org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler";
    /**
     * Reader threads at most. A read never waits on the network or on Redis (frames in, sends and
     * a cluster's commands queued; joins, which wait on Redis, run in the open, on the container's
     * thread), so these are slack against a reader held up by the container's own locks, as its
     * request pool has. Idle ones end after a minute. Fewer do not help either: with 4, 10 senders
     * into a room of 100 at 60,000 deliveries/s had a p99 of 103-231 ms against 29-32 ms with 64.
     */
    private static final int READERS = 64;
    /**
     * The upgraded connection's output buffer, Grizzly's least: every Tyrus send copies its frame
     * into a fresh buffer of this size, and on threads that are not Grizzly's (the readers here)
     * that is a new, zeroed array per frame. The default 8 KiB made 8 KiB of garbage per ~200-byte
     * event (4.15 GB in a 30 s run, against 0.27 GB with this); a larger frame is written from
     * Tyrus's own array without the copy.
     */
    private static final int SEND_BUFFER_BYTES = 512;
    /** From Payara's response facade to the Grizzly output buffer its upgraded connection writes through. */
    private static final List<String> RESPONSE_TO_GRIZZLY_BUFFER = List.of("response", "outputBuffer", "grizzlyOutputBuffer");
    /** How long undeploy waits for the reads under way: a read never waits on the network. */
    private static final long STOP_WAIT_SECONDS = 2;
    private static volatile boolean unsizedLogged;

    @Resource
    transient ManagedThreadFactory threads;

    /** The message size limit the frame check holds clients to. */
    @Inject
    transient ChatSettings settings;

    private final transient Workarounds workarounds;
    /** Makes one of Chorus' handlers, to learn at start whether it links against this Tyrus. */
    private final transient Supplier<Object> handlerProbe;
    private transient ThreadPoolExecutor readers;
    /** Cleared when an upgrade to Chorus' handler fails: from then on Tyrus's own handler. */
    private transient volatile boolean detaching;

    public TyrusReadDeadlockFix() {
        this(TyrusReadDeadlockFix::newHandler, Workarounds.ON_THIS_SERVER);
    }

    TyrusReadDeadlockFix(Supplier<Object> handlerProbe, Workarounds workarounds) {
        this.handlerProbe = handlerProbe;
        this.workarounds = workarounds;
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        super.init(config);
        try {
            Class.forName(TYRUS_HANDLER, false, TyrusReadDeadlockFix.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(Level.FINE, "Not Tyrus: WebSocket upgrades pass through unchanged");
            return;
        }
        try {
            handlerProbe.get();
        } catch (RuntimeException | LinkageError e) {
            // Tyrus's handler changed under the subclass: upgrading to it would fail every connection.
            workarounds.fellBack(Workaround.TYRUS_DETACHED_READ, "Chorus' upgrade handler cannot be made: " + e);
            return;
        }
        readers = new ThreadPoolExecutor(READERS, READERS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                threads != null ? threads : Executors.defaultThreadFactory());
        readers.allowCoreThreadTimeOut(true);
        detaching = true;
        LOG.info("Tyrus: WebSocket reads run outside the container's read callback; see server-config/README.md");
    }

    /** A handler of Chorus', typed Object so that only running this, not loading this filter, links it. */
    private static Object newHandler() {
        return new DetachedReadHandler();
    }

    /**
     * Lets the reads under way finish and waits, a bounded time, for the reader threads to end: a
     * reader still running after undeploy holds the application's class loader.
     */
    @Override
    public void destroy() {
        if (readers != null) {
            readers.shutdown();
            try {
                if (!readers.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    readers.shutdownNow();
                    LOG.warning("WebSocket reads were still running at undeploy; interrupted");
                }
            } catch (InterruptedException e) {
                readers.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        super.destroy();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!detaching) {
            chain.doFilter(request, response);
            return;
        }
        shrinkSendBuffer(response);
        chain.doFilter(new DetachedReadRequest(request), response);
    }

    /**
     * Sets Grizzly's output buffer of this response to {@link #SEND_BUFFER_BYTES}, before the
     * handshake's response commits it. Not through {@code setBufferSize}: Payara's only ever grows it.
     */
    private void shrinkSendBuffer(ServletResponse response) {
        ServletResponse inner = response;
        while (inner instanceof ServletResponseWrapper wrapper) {
            inner = wrapper.getResponse();
        }
        shrinkSendBuffer(inner, workarounds);
    }

    /** Sets the Grizzly buffer under Payara's response facade {@code facade}, reporting to {@code workarounds}. */
    static void shrinkSendBuffer(Object facade, Workarounds workarounds) {
        try {
            Object buffer = ContainerFields.follow(facade, RESPONSE_TO_GRIZZLY_BUFFER);
            if (buffer != null) {
                Method setBufferSize = buffer.getClass().getMethod("setBufferSize", int.class);
                setBufferSize.invoke(buffer, SEND_BUFFER_BYTES);
                workarounds.active(Workaround.GRIZZLY_SEND_BUFFER);
                return;
            }
        } catch (NoSuchMethodException e) {
            workarounds.fellBack(Workaround.GRIZZLY_SEND_BUFFER, ContainerSocket.why(e) + " setBufferSize(int)");
            return;
        } catch (ReflectiveOperationException | RuntimeException e) {
            workarounds.fellBack(Workaround.GRIZZLY_SEND_BUFFER, ContainerSocket.why(e));
            return;
        }
        if (!unsizedLogged) {
            unsizedLogged = true;
            LOG.log(Level.FINE, "Output buffer left at the container's size: none set yet under {0}",
                    facade.getClass().getName());
        }
    }

    /**
     * The request, but an upgrade to Tyrus's handler gets the one that reads on reader threads;
     * where that upgrade fails and Tyrus's own succeeds, this one and every later one get Tyrus's
     * own. Where both fail, the request was at fault, and only it fails.
     */
    private final class DetachedReadRequest extends HttpServletRequestWrapper {

        DetachedReadRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws IOException, ServletException {
            if (handlerClass != TyrusHttpUpgradeHandler.class) {
                return super.upgrade(handlerClass);
            }
            DetachedReadHandler handler;
            try {
                handler = super.upgrade(DetachedReadHandler.class);
            } catch (ServletException | RuntimeException | LinkageError e) {
                T own;
                try {
                    own = super.upgrade(handlerClass);
                } catch (ServletException | RuntimeException again) {
                    // This request cannot be upgraded at all (under load Payara has answered "Already
                    // Suspended", or recycled it): its own failure, not the handler's, so the others keep it.
                    again.addSuppressed(e);
                    LOG.log(Level.FINE, "A WebSocket upgrade failed, with Chorus' handler and with Tyrus's", again);
                    throw again;
                }
                detaching = false;
                workarounds.fellBack(Workaround.TYRUS_DETACHED_READ, "the upgrade to Chorus' handler failed: " + e);
                return own;
            }
            handler.readOn(readers, workarounds);
            handler.checkFrames(settings != null ? settings.inbound().maxMessageBytes() : ChatSettings.DEFAULTS.inbound().maxMessageBytes());
            workarounds.active(Workaround.TYRUS_DETACHED_READ);
            return handlerClass.cast(handler);
        }
    }
}
