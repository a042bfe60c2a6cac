package dev.chorus.container;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

/**
 * On Tyrus (Payara), has the WebSocket upgrade use {@link ReadAfterInitHandler}, so that a client
 * whose first frame comes with its handshake does not hang a request thread for good (200 such
 * clients stopped a node). Tyrus's own filter upgrades the request it is handed and runs after
 * the application's filters, so it is handed the request this filter wraps. On any other
 * container it passes requests through untouched and never loads a Tyrus class.
 */
@WebFilter(urlPatterns = "/chat/*", asyncSupported = true)
public class TyrusInitDeadlockFix extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(TyrusInitDeadlockFix.class.getName());
    private static final String TYRUS_HANDLER = "org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler";

    @Resource
    transient ManagedExecutorService readers;

    private boolean tyrus;

    @Override
    public void init(FilterConfig config) throws ServletException {
        super.init(config);
        try {
            Class.forName(TYRUS_HANDLER, false, TyrusInitDeadlockFix.class.getClassLoader());
            tyrus = true;
            LOG.info("Tyrus: a first frame sent with the handshake is read after set-up; see server-config/README.md");
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(Level.FINE, "Not Tyrus: WebSocket upgrades pass through unchanged");
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(tyrus ? new ReadAfterInitRequest(request, readers) : request, response);
    }

    /** The request, but an upgrade to Tyrus's handler gets the one that reads after set-up. */
    private static final class ReadAfterInitRequest extends HttpServletRequestWrapper {

        private final ManagedExecutorService readers;

        ReadAfterInitRequest(HttpServletRequest request, ManagedExecutorService readers) {
            super(request);
            this.readers = readers;
        }

        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws IOException, ServletException {
            if (handlerClass != TyrusHttpUpgradeHandler.class) {
                return super.upgrade(handlerClass);
            }
            ReadAfterInitHandler handler = super.upgrade(ReadAfterInitHandler.class);
            handler.readOn(readers);
            return handlerClass.cast(handler);
        }
    }
}
