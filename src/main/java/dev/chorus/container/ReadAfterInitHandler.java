package dev.chorus.container;

import jakarta.servlet.http.WebConnection;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

/**
 * Tyrus's upgrade handler, but the container's read callback never waits for the connection to
 * be set up. Tyrus registers its read listener before it creates the connection, and its
 * {@code onDataAvailable} waits for that connection. Payara calls the listener at once, on the
 * thread that registers it, when the client's first frame came with the handshake: that thread
 * then waits for itself, for good (the connection is created only after registration returns).
 * And a read reported on another thread while {@code @OnOpen} runs holds the container's read
 * lock while it waits, which the set-up needs if its first write fails. Here a read reported
 * before the connection exists is remembered and done on another thread once it does.
 */
public class ReadAfterInitHandler extends TyrusHttpUpgradeHandler {

    private static final Logger LOG = Logger.getLogger(ReadAfterInitHandler.class.getName());
    private static final int SETTING_UP = 0;
    private static final int READ_WAITING = 1;
    private static final int OPEN = 2;

    private final AtomicInteger state = new AtomicInteger(SETTING_UP);
    private volatile Executor readers = Runnable::run;

    /** Where a read that arrived during set-up runs: never the thread that set the connection up. */
    void readOn(Executor readers) {
        this.readers = readers;
    }

    @Override
    public void init(WebConnection connection) {
        super.init(connection);
        if (state.getAndSet(OPEN) == READ_WAITING) {
            try {
                readers.execute(this::readWaiting);
            } catch (RejectedExecutionException e) {
                LOG.log(Level.FINE, "No thread for the first read; reading on the set-up thread", e);
                readWaiting();
            }
        }
    }

    @Override
    public void onDataAvailable() {
        for (int now = state.get(); now != OPEN; now = state.get()) {
            if (now == READ_WAITING || state.compareAndSet(SETTING_UP, READ_WAITING)) {
                return;
            }
        }
        super.onDataAvailable();
    }

    private void readWaiting() {
        try {
            super.onDataAvailable();
        } catch (RuntimeException e) {
            // The container's own callback would have reported this to onError; a connection
            // closed meanwhile is the likely cause, and Tyrus has closed the session already.
            LOG.log(Level.FINE, "The first read of a WebSocket failed", e);
        }
    }
}
