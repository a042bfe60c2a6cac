package dev.chorus.chat;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells every client the server is going away (1001) when the application stops: on undeploy,
 * when the servlet context is destroyed, and on a server stop by signal from a JVM shutdown
 * hook. The hook is needed because Payara Micro, stopped by SIGTERM, tears its sockets down
 * before the application hears of it (measured: its clients saw 1006 and no close frame, while
 * the same closes sent from a shutdown hook arrived as 1001). The hook is removed on undeploy,
 * or it would hold this deployment's class loader for the life of the JVM.
 */
@WebListener
public class GracefulShutdown implements ServletContextListener {

    /**
     * How long a stop waits for the closes to go out before closing the remaining sockets
     * outright: a healthy client answers within milliseconds, and a stop must not hang on one
     * that stopped reading.
     */
    static final Duration GRACE = Duration.ofSeconds(2);

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class.getName());

    @Inject
    SessionRegistry registry;

    private Thread hook;

    @Override
    public void contextInitialized(ServletContextEvent started) {
        // A shutdown hook can only be a Thread; it runs once, at JVM exit, and never otherwise.
        hook = new Thread(this::closeAll, "chorus-graceful-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void contextDestroyed(ServletContextEvent stopping) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException jvmAlreadyExiting) {
            // The hook runs, or has run, as well: closing twice closes nobody twice.
        }
        closeAll();
    }

    private void closeAll() {
        try {
            registry.closeAll(GRACE);
        } catch (RuntimeException e) {
            // From the hook, after the container already destroyed the application: its own
            // undeploy closed the sockets, and there is nothing left to close.
            LOG.log(Level.FINE, "Nothing to close at shutdown: {0}", e.toString());
        }
    }
}
