package dev.chorus.edge;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.Outbox;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.room.Fanout;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The liveness sweeps: {@link #beat} every {@code chorus.heartbeat.seconds} pings every member
 * and drops the silent ones; {@link #expireStuckSends} every second drops members whose send
 * never finishes. Both run from application start to undeploy on a scheduler of the application's
 * own, on the container's managed threads, and the drops they decide on a few threads beside it;
 * undeploy stops both and waits for their threads to end.
 * <p>
 * Not the container's managed scheduler: the sweeps' schedule stays in its queue after a cancel,
 * and a pool thread it starts for the first one keeps the starting stack's access control
 * context, this application's protection domain among it, for the life of the server. On Payara
 * Server that thread kept the first deployment's class loader after every later redeploy and
 * undeploy.
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());
    /** Often enough that a stuck send is caught within a second of its timeout. */
    private static final long STUCK_SEND_SWEEP_SECONDS = 1;

    /**
     * Threads that drop members at once: a drop may block on the container's locks, and the
     * others must not wait behind it. Idle ones end after a minute.
     */
    private static final int DROPPERS = 4;

    /** The container's threads for the application (context set up, stopped with it); plain threads in tests. */
    @Resource
    ManagedThreadFactory threads;

    /** Runs the two sweeps, one after the other; null until the application starts. */
    private ScheduledThreadPoolExecutor sweeps;
    /** Runs the drops the sweeps decide: {@link #droppers}, or what a test hands in. */
    private Executor drops;
    private ThreadPoolExecutor droppers;

    private final Rooms rooms;
    private final ChatSettings settings;
    private final ChatMetrics metrics;
    private final Clocks clocks;
    private final UnansweredCloses closes;

    @Inject
    public Heartbeat(Rooms rooms, ChatSettings settings, ChatMetrics metrics, Clocks clocks,
            UnansweredCloses closes) {
        this.rooms = rooms;
        this.settings = settings;
        this.metrics = metrics;
        this.clocks = clocks;
        this.closes = closes;
    }

    /** For the container's client proxy only. */
    protected Heartbeat() {
        this(null, ChatSettings.DEFAULTS, null, Clocks.SYSTEM, null);
    }

    /** Where the sweeps' drops run, for a test that calls the sweeps itself; the application starts its own. */
    public Heartbeat dropOn(Executor drops) {
        this.drops = drops;
        return this;
    }

    synchronized void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        ThreadFactory factory = threads != null ? threads : Executors.defaultThreadFactory();
        droppers = new ThreadPoolExecutor(DROPPERS, DROPPERS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), factory);
        droppers.allowCoreThreadTimeOut(true);
        drops = droppers;
        sweeps = new ScheduledThreadPoolExecutor(1, factory);
        schedule(this::beat, settings.liveness().heartbeatSeconds());
        schedule(this::expireStuckSends, STUCK_SEND_SWEEP_SECONDS);
    }

    private void schedule(Runnable sweep, long periodSeconds) {
        sweeps.scheduleAtFixedRate(() -> {
            try {
                sweep.run();
            } catch (RuntimeException e) {
                // A failed sweep must not cancel the schedule: the next one tries again.
                LOG.log(Level.WARNING, "Liveness sweep failed", e);
            }
        }, periodSeconds, periodSeconds, TimeUnit.SECONDS);
    }

    /**
     * Stops the sweeps, lets the drops already decided finish, and waits for every thread of both
     * to end: one still running after undeploy would hold the application's class loader. A drop
     * still blocked after {@link GracefulShutdown#GRACE} is interrupted.
     */
    @PreDestroy
    synchronized void stop() {
        if (sweeps == null) {
            return;
        }
        sweeps.shutdownNow();
        try {
            // The droppers only once no sweep runs: a sweep's hand-over during their shutdown could
            // have the pool create a thread it never starts, which a container's factory keeps.
            long deadline = System.nanoTime() + GracefulShutdown.GRACE.toNanos();
            boolean ended = sweeps.awaitTermination(GracefulShutdown.GRACE.toNanos(), TimeUnit.NANOSECONDS);
            droppers.shutdown();
            ended &= droppers.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (!ended) {
                droppers.shutdownNow();
                LOG.warning("A liveness sweep or drop was still running at undeploy; interrupted");
            }
        } catch (InterruptedException e) {
            droppers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One heartbeat: drops (1001) every member not heard from, by message or pong, within
     * {@code silenceSeconds}, or whose socket closed without the container saying so, and pings
     * the others. The ping is queued like a frame, so it waits behind what the member has queued
     * and never overlaps a send. The drops, of the silent and of those a ping overflowed, run on
     * the droppers: a close may block on the container's locks, and must not stop this sweep with it.
     */
    void beat() {
        long now = clocks.nanoTime();
        long silence = TimeUnit.SECONDS.toNanos(settings.liveness().silenceSeconds());
        List<Member> silent = new ArrayList<>();
        Fanout pings = rooms.fanout(drops);
        for (Member member : rooms.everyone()) {
            if (now - member.heardAt() > silence || !member.isConnected()) {
                silent.add(member);
            } else {
                pings.offer(member, Outbox.PING);
            }
        }
        CloseReason tooQuiet = CloseReasons.silent(settings.liveness().silenceSeconds());
        for (Member member : silent) {
            metrics.silentDropped();
            drops.execute(() -> rooms.evict(member, tooQuiet));
        }
        // Pings are not deliveries: the metric counts what members were sent to read.
        pings.send();
    }

    /**
     * Drops (1013) every member whose send has been in flight longer than the send timeout: its
     * client stopped reading, and the queue bounds would catch it only once enough traffic came.
     * Then closes outright the sockets of dropped members whose close still waits behind such a
     * send: under the one-writer rule it would wait, and hold the socket, for as long as the
     * client keeps its connection open without reading. Those closes run on the droppers: a close may block on the container's own locks (Payara can deadlock two of its
     * threads over one connection: a write that fails inside @OnOpen while a reader of the same
     * connection waits for that @OnOpen to end), and must not stop every later sweep with it.
     * First, cuts the sockets whose close has gone unanswered for a send timeout, and drops the
     * members whose socket closed unreported.
     */
    void expireStuckSends() {
        closes.cutOverdue();
        // A socket closed without the container saying so (Payara loses some closes during set-up):
        // the member leaves within a second, rather than holding a place in presence until the heartbeat.
        long now = clocks.nanoTime();
        long timeout = TimeUnit.SECONDS.toNanos(settings.outbound().sendTimeoutSeconds());
        for (Member member : rooms.everyone()) {
            if (!member.isConnected()) {
                drops.execute(() -> rooms.evict(member, CloseReasons.CONNECTION_FAILED));
            } else if (member.outbox().sendingFor(now) > timeout) {
                metrics.sendTimedOut();
                drops.execute(() -> rooms.evict(member, CloseReasons.SEND_TIMED_OUT));
            }
        }
        for (Member member : rooms.closing()) {
            if (member.outbox().isFinished()) {
                rooms.closing().remove(member);
            } else if (member.outbox().sendingFor(now) > timeout) {
                rooms.closing().remove(member);
                drops.execute(() -> member.outbox().abort(CloseReasons.SEND_TIMED_OUT));
            }
        }
    }
}
