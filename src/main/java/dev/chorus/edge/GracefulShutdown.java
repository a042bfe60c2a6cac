package dev.chorus.edge;

import dev.chorus.container.ThreadReferences;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells every client the server is going away (1001) when the application stops: on undeploy,
 * when the servlet context is destroyed, and on a server stop by signal from a JVM shutdown
 * hook. Rooms are emptied whole, with no leave events: in a room of n members those would be n²
 * frames nobody will read. The hook is needed because Payara Micro, stopped by SIGTERM, tears its sockets down
 * before the application hears of it (measured: its clients saw 1006 and no close frame, while
 * the same closes sent from a shutdown hook arrived as 1001). The hook is removed on undeploy,
 * or it would hold this deployment's class loader for the life of the JVM; for the same reason
 * undeploy then closes the link to Redis and takes the class loader out of idle pool threads.
 */
@WebListener
public class GracefulShutdown implements ServletContextListener {

    /**
     * How long a stop waits for the closes to go out before closing the remaining sockets
     * outright: a healthy client answers within milliseconds, and a stop must not hang on one
     * that stopped reading.
     */
    static final Duration GRACE = Duration.ofSeconds(2);

    /** How often a stop looks whether the closes have gone out. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class.getName());

    @Inject
    Rooms rooms;

    private Thread hook;

    @Override
    public void contextInitialized(ServletContextEvent started) {
        // A shutdown hook can only be a Thread; it runs once, at JVM exit, and never otherwise.
        hook = new Thread(this::closeAll, "chorus-graceful-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Closes every connection, then lets go of what orders the rooms (in a cluster, Redis and its
     * client's threads) here rather than only when the rooms bean is destroyed: Payara Server
     * destroys application beans after the application's class loader stopped loading classes,
     * and a close that needed one more class failed there, leaving the Redis client's threads,
     * and with them the class loader, behind. Last, takes this application out of the threads
     * that outlive it ({@link ThreadReferences}).
     */
    @Override
    public void contextDestroyed(ServletContextEvent stopping) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException jvmAlreadyExiting) {
            // The hook runs, or has run, as well: closing twice closes nobody twice.
        }
        closeAll();
        try {
            rooms.unlink();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not let go of the rooms' sequence at undeploy", e);
        }
        ThreadReferences.release(GracefulShutdown.class.getClassLoader());
    }

    private void closeAll() {
        try {
            closeAll(rooms.leaveAll(), GRACE);
        } catch (RuntimeException e) {
            // From the hook, after the container already destroyed the application: its own
            // undeploy closed the sockets, and there is nothing left to close.
            LOG.log(Level.FINE, "Nothing to close at shutdown: {0}", e.toString());
        }
    }

    /**
     * Tells every member the server is going away (1001), after what is already queued for it,
     * and waits up to {@code grace} for those closes to go out; sockets whose close still waits
     * behind a send then are closed outright.
     */
    static void closeAll(List<Member> everyone, Duration grace) {
        if (everyone.isEmpty()) {
            return;
        }
        LOG.log(Level.INFO, "Closing {0} connections with 1001: the application is stopping", everyone.size());
        everyone.forEach(member -> member.outbox().closeAfterQueued(CloseReasons.SHUTTING_DOWN));
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && !everyone.stream().allMatch(member -> member.outbox().isFinished())) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        everyone.forEach(member -> member.outbox().abort(CloseReasons.SHUTTING_DOWN));
    }
}
