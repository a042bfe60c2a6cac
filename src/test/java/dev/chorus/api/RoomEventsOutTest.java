package dev.chorus.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit.MockBean;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Room events reach the application's async observers without ever holding up the caller, and within a bound. */
@EnableWeld
class RoomEventsOutTest {

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(RoomEventsOut.class, SlowObserver.class).addBeans(MockBean.of(Webhook.NONE, Webhook.class))
            .activate(ApplicationScoped.class).build();

    @Inject
    RoomEventsOut out;

    @Inject
    Event<Object> events;

    @Inject
    BeanManager beans;

    @Inject
    SlowObserver observer;

    @AfterEach
    void letObserversGo() {
        observer.letGo();
    }

    @Test
    void anObserverGetsEveryEventAndASlowOneHoldsNobodyUp() {
        assertTrue(out.observed());
        long started = System.nanoTime();
        out.fire(new RoomEvents.MemberJoined("lobby", "alice"));
        out.fire(message(1));
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(1), "fire returned while the observer waits");

        observer.letGo();
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.seen().size() == 2);
        assertTrue(observer.seen().contains(new RoomEvents.MemberJoined("lobby", "alice")));
        assertEquals(0, out.dropped());
    }

    @Test
    void observersThatFallBehindTheBoundLoseEventsAndTheyAreCounted() {
        RoomEventsOut bounded = new RoomEventsOut(events, beans, 2, Webhook.NONE);

        for (int id = 1; id <= 5; id++) {
            bounded.fire(message(id));
        }

        assertEquals(3, bounded.dropped(), "two wait for the stuck observer, the rest are dropped");
        observer.letGo();
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.seen().size() == 2);
        bounded.fire(message(6));
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.seen().size() == 3);
    }

    private static RoomEvents.MessageAccepted message(long id) {
        return new RoomEvents.MessageAccepted("lobby", id, "alice", "m" + id, Instant.EPOCH, false);
    }

    /** An application's observer that waits until the test lets it go. */
    @ApplicationScoped
    static class SlowObserver {

        private final CountDownLatch release = new CountDownLatch(1);
        private final List<Object> seen = new CopyOnWriteArrayList<>();

        /** Through methods: the test holds the bean's client proxy, whose own fields are empty. */
        void letGo() {
            release.countDown();
        }

        List<Object> seen() {
            return seen;
        }

        void joined(@ObservesAsync RoomEvents.MemberJoined event) throws InterruptedException {
            release.await(10, TimeUnit.SECONDS);
            seen.add(event);
        }

        void accepted(@ObservesAsync RoomEvents.MessageAccepted event) throws InterruptedException {
            release.await(10, TimeUnit.SECONDS);
            seen.add(event);
        }
    }
}
