package dev.chorus.chat;

import dev.chorus.config.ChatSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

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

    private record Watch(Peer peer, long closedAt) {
    }

    private final Queue<Watch> watched = new ConcurrentLinkedQueue<>();
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

    /** The peer has just been sent its close frame. */
    void watch(Peer peer) {
        watched.add(new Watch(peer, clocks.nanoTime()));
    }

    /** Cuts every watched socket closed one send timeout ago or longer; the heartbeat calls it every second. */
    void cutOverdue() {
        long now = clocks.nanoTime();
        // The heartbeat is the only taker, so the head it peeked is the head it polls.
        for (Watch next = watched.peek(); next != null && now - next.closedAt() >= patience; next = watched.peek()) {
            watched.poll();
            if (next.peer().cut()) {
                metrics.socketCut();
            }
        }
    }

    /** How many closes are being watched. */
    int watching() {
        return watched.size();
    }
}
