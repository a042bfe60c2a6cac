package dev.chorus.container;

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
 * On Tyrus (Payara), has the WebSocket upgrade use {@link ClosingUpgradeHandler}, so that a client
 * that vanishes while its connection is set up is closed, not left open until the silence sweep.
 * Tyrus's own filter upgrades the request it is handed; it runs after the application's filters
 * (it is registered to match after them), so it is handed the request this filter wraps. On any
 * other container (WildFly's Undertow has no such window) it passes requests through untouched and
 * never loads a Tyrus class.
 */
@WebFilter(urlPatterns = "/chat/*", asyncSupported = true)
public class ClosingUpgradeFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(ClosingUpgradeFilter.class.getName());
    private static final String TYRUS_HANDLER = "org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler";

    private boolean tyrus;

    @Override
    public void init(FilterConfig config) throws ServletException {
        super.init(config);
        try {
            Class.forName(TYRUS_HANDLER, false, ClosingUpgradeFilter.class.getClassLoader());
            tyrus = true;
            LOG.info("Tyrus: a client that closes while its WebSocket is set up is closed too; see server-config/README.md");
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(Level.FINE, "Not Tyrus: WebSocket upgrades pass through unchanged");
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(tyrus ? new ClosingUpgradeRequest(request) : request, response);
    }

    /** The request, but an upgrade to Tyrus's handler gets the one that keeps a close reported early. */
    private static final class ClosingUpgradeRequest extends HttpServletRequestWrapper {

        ClosingUpgradeRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws IOException, ServletException {
            if (handlerClass == TyrusHttpUpgradeHandler.class) {
                return handlerClass.cast(super.upgrade(ClosingUpgradeHandler.class));
            }
            return super.upgrade(handlerClass);
        }
    }
}
