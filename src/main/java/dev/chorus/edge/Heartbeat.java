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
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The liveness sweeps: {@link #beat} every {@code chorus.heartbeat.seconds} pings every member
 * and drops the silent ones; {@link #expireStuckSends} every second drops members whose send
 * never finishes. Both run on the container's managed scheduler (no thread of our own: the
 * container must be able to stop it on undeploy), from application start to undeploy.
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());
    /** Often enough that a stuck send is caught within a second of its timeout. */
    private static final long STUCK_SEND_SWEEP_SECONDS = 1;

    private ManagedScheduledExecutorService scheduler;

    private final Rooms rooms;
    private final ChatSettings settings;
    private final ChatMetrics metrics;
    private final Clocks clocks;
    private final UnansweredCloses closes;
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();

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

    /** The container's managed scheduler, which runs the sweeps; a test hands in its own. */
    @Resource
    public void setScheduler(ManagedScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        schedule(this::beat, settings.liveness().heartbeatSeconds());
        schedule(this::expireStuckSends, STUCK_SEND_SWEEP_SECONDS);
    }

    private void schedule(Runnable sweep, long periodSeconds) {
        schedules.add(scheduler.scheduleAtFixedRate(() -> {
            try {
                sweep.run();
            } catch (RuntimeException e) {
                // A failed sweep must not cancel the schedule: the next one tries again.
                LOG.log(Level.WARNING, "Liveness sweep failed", e);
            }
        }, periodSeconds, periodSeconds, TimeUnit.SECONDS));
    }

    @PreDestroy
    void stop() {
        schedules.forEach(schedule -> schedule.cancel(false));
    }

    /**
     * One heartbeat: drops (1001) every member not heard from, by message or pong, within
     * {@code silenceSeconds}, or whose socket closed without the container saying so, and pings
     * the others. The ping is queued like a frame, so it waits behind what the member has queued
     * and never overlaps a send.
     */
    void beat() {
        long now = clocks.nanoTime();
        long silence = TimeUnit.SECONDS.toNanos(settings.liveness().silenceSeconds());
        List<Member> silent = new ArrayList<>();
        Fanout pings = rooms.fanout();
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
            // On the scheduler's other threads, as the stuck-send closes below: a close may block
            // on the container's locks, and must not stop this sweep with it.
            scheduler.execute(() -> rooms.evict(member, tooQuiet));
        }
        // Pings are not deliveries: the metric counts what members were sent to read.
        pings.send();
    }

    /**
     * Drops (1013) every member whose send has been in flight longer than the send timeout: its
     * client stopped reading, and the queue bounds would catch it only once enough traffic came.
     * Then closes outright the sockets of dropped members whose close still waits behind such a
     * send: under the one-writer rule it would wait, and hold the socket, for as long as the
     * client keeps its connection open without reading. Those closes run on the scheduler's other
     * threads: a close may block on the container's own locks (Payara can deadlock two of its
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
                scheduler.execute(() -> rooms.evict(member, CloseReasons.CONNECTION_FAILED));
            } else if (member.outbox().sendingFor(now) > timeout) {
                metrics.sendTimedOut();
                scheduler.execute(() -> rooms.evict(member, CloseReasons.SEND_TIMED_OUT));
            }
        }
        for (Member member : rooms.closing()) {
            if (member.outbox().isFinished()) {
                rooms.closing().remove(member);
            } else if (member.outbox().sendingFor(now) > timeout) {
                rooms.closing().remove(member);
                scheduler.execute(() -> member.outbox().abort(CloseReasons.SEND_TIMED_OUT));
            }
        }
    }
}
