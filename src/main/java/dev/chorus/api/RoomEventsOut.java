package dev.chorus.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Fires {@link RoomEvents} to the application's asynchronous observers, if it has any, and hands
 * them to the {@link Webhook}, if one is configured: nothing is built or queued otherwise. At most {@value #IN_FLIGHT} events wait for observers at once; past
 * that, observers have fallen behind and an event is dropped and counted ({@code
 * chorus_events_dropped_total}) rather than letting the queue grow without bound. An observer that
 * throws is counted ({@code chorus_events_failed_total}) and logged at FINE.
 */
@ApplicationScoped
public class RoomEventsOut {

    /** Events handed to observers and not yet done. */
    static final int IN_FLIGHT = 10_000;

    private static final Logger LOG = Logger.getLogger(RoomEventsOut.class.getName());

    /** Where nobody observes: fires nothing. */
    public static final RoomEventsOut NONE = new RoomEventsOut();

    private final Event<Object> events;
    private final Webhook webhook;
    /** Whether any bean observes the events asynchronously. */
    private final boolean cdiObserved;
    private final boolean observed;
    private final Semaphore inFlight;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    @Inject
    public RoomEventsOut(Event<Object> events, BeanManager beans, Webhook webhook) {
        this(events, beans, IN_FLIGHT, webhook);
    }

    /** Firing through {@code events}, with at most {@code bound} events waiting for observers, and to the webhook. */
    public RoomEventsOut(Event<Object> events, BeanManager beans, int bound, Webhook webhook) {
        this.events = events;
        this.webhook = webhook;
        this.inFlight = new Semaphore(bound);
        this.cdiObserved = Stream.of(new RoomEvents.MessageAccepted("", 0, "", "", Instant.EPOCH, false),
                new RoomEvents.MemberJoined("", ""), new RoomEvents.MemberLeft("", ""), new RoomEvents.JoinRefused("", ""))
                .anyMatch(sample -> beans.resolveObserverMethods(sample).stream().anyMatch(observer -> observer.isAsync()));
        this.observed = cdiObserved || webhook.isOn();
    }

    /** For the container's client proxy, and where nobody observes. */
    protected RoomEventsOut() {
        this.events = null;
        this.webhook = Webhook.NONE;
        this.inFlight = new Semaphore(0);
        this.cdiObserved = false;
        this.observed = false;
    }

    /** Whether any observer or a webhook listens: callers skip building events otherwise. */
    public boolean observed() {
        return observed;
    }

    public void fire(Object event) {
        webhook.offer(event);
        if (!cdiObserved) {
            return;
        }
        if (!inFlight.tryAcquire()) {
            dropped.incrementAndGet();
            return;
        }
        events.fireAsync(event).whenComplete((done, failure) -> {
            inFlight.release();
            if (failure != null) {
                failed.incrementAndGet();
                LOG.log(Level.FINE, "An observer of " + event.getClass().getSimpleName() + " failed", failure);
            }
        });
    }

    /** Events dropped because observers had fallen {@value #IN_FLIGHT} behind. */
    public long dropped() {
        return dropped.get();
    }

    /** Events an observer threw on. */
    public long failed() {
        return failed.get();
    }
}
