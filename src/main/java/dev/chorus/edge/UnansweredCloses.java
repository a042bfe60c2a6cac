package dev.chorus.edge;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The sockets Chorus closed, for one send timeout each; then each is cut. RFC 6455 has the
 * server drop the TCP connection once the close frames have gone both ways, but a client that
 * stopped reading never reads the close frame (it waits behind what the client did not read),
 * so neither container lets go of the socket, nor of what it queued for it, for as long as the
 * client keeps the connection. A socket whose close went through meanwhile is already gone, and
 * cutting it changes nothing. Closes are watched in the order they happen, so the sweep stops
 * at the first one not yet due; the queue holds at most one send timeout's worth of closes.
 */
@ApplicationScoped
public class UnansweredCloses {

    /** What cuts one socket (true if it was still open), and when its close was sent. */
    private record Watch(BooleanSupplier cut, long closedAt) {
    }

    /**
     * Closes this many ahead are cut at once, the oldest first: the queue must stay bounded even
     * if the sweep stops (a container thread deadlocked under it) or closes come faster than it
     * runs. Far above one send timeout of closes at any rate measured here (about 400 a second).
     */
    static final int MAX_WATCHED = 65_536;

    private final Queue<Watch> watched = new ConcurrentLinkedQueue<>();
    /** The queue's size: the queue's own count walks it. */
    private final AtomicInteger size = new AtomicInteger();
    private final ChatMetrics metrics;
    private final Clocks clocks;
    private final long patience;

    @Inject
    public UnansweredCloses(ChatSettings settings, ChatMetrics metrics, Clocks clocks) {
        this.metrics = metrics;
        this.clocks = clocks;
        this.patience = TimeUnit.SECONDS.toNanos(settings.outbound().sendTimeoutSeconds());
    }

    /** For the container's client proxy only. */
    protected UnansweredCloses() {
        this(ChatSettings.DEFAULTS, null, Clocks.SYSTEM);
    }

    /**
     * A close frame has just been sent; {@code cut} drops that socket. It is held for one send
     * timeout, so it should hold the container's connection only, not the whole session: under
     * churn thousands are held at once.
     */
    void watch(BooleanSupplier cut) {
        watched.add(new Watch(cut, clocks.nanoTime()));
        if (size.incrementAndGet() > MAX_WATCHED) {
            Watch oldest = watched.poll();
            if (oldest != null) {
                cut(oldest);
            }
        }
    }

    /** Cuts every watched socket closed one send timeout ago or longer; the heartbeat calls it every second. */
    void cutOverdue() {
        long now = clocks.nanoTime();
        for (Watch next = watched.peek(); next != null && now - next.closedAt() >= patience; next = watched.peek()) {
            // watch() may have taken this one meanwhile (over the bound): only who removes it cuts it.
            if (watched.remove(next)) {
                cut(next);
            }
        }
    }

    /** Cuts a watch just taken off the queue, counting the socket if it was still open. */
    private void cut(Watch taken) {
        size.decrementAndGet();
        if (taken.cut().getAsBoolean()) {
            metrics.socketCut();
        }
    }

    /** How many closes are being watched. */
    int watching() {
        return size.get();
    }
}
