package dev.chorus.testsupport;

import dev.chorus.api.RoomEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An application's observer that takes 2 s over every accepted message, and remembers each as room:id. */
@ApplicationScoped
public class SlowObserver {

    private final List<String> seen = new CopyOnWriteArrayList<>();
    /** Never counted down: each event waits out its 2 s, as an observer busy elsewhere would. */
    private final CountDownLatch busy = new CountDownLatch(1);

    void accepted(@ObservesAsync RoomEvents.MessageAccepted message) throws InterruptedException {
        busy.await(2, TimeUnit.SECONDS);
        seen.add(message.room() + ":" + message.id());
    }

    /** The messages observed so far, as room:id. */
    public List<String> seen() {
        return List.copyOf(seen);
    }
}
