package dev.chorus.chat;

import dev.chorus.config.ChatSettings;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs {@link SessionRegistry#heartbeat()} every {@code chorus.heartbeat.seconds} on the
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

    private ScheduledFuture<?> beat;

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        long period = settings.heartbeatSeconds();
        beat = scheduler.scheduleAtFixedRate(this::beat, period, period, TimeUnit.SECONDS);
    }

    private void beat() {
        try {
            registry.heartbeat();
        } catch (RuntimeException e) {
            // A failed beat must not cancel the schedule: the next one tries again.
            LOG.log(Level.WARNING, "Heartbeat failed", e);
        }
    }

    @PreDestroy
    void stop() {
        if (beat != null) {
            beat.cancel(false);
        }
    }
}
