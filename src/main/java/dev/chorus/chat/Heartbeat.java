package dev.chorus.chat;

import dev.chorus.config.ChatSettings;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs {@link SessionRegistry#heartbeat()} every {@code chorus.heartbeat.seconds}, and
 * {@link SessionRegistry#expireStuckSends()} every second, on the
 * container's managed scheduler (no thread of our own: the container must be able to stop it
 * on undeploy), from application start to undeploy.
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    SessionRegistry registry;

    @Inject
    ChatSettings settings;

    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        schedule(registry::heartbeat, settings.liveness().heartbeatSeconds());
        // Every second, so that a stuck send is caught within a second of its timeout.
        schedule(registry::expireStuckSends, 1);
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
}
