package dev.chorus.testsupport;

import dev.chorus.api.RoomEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An application's observer that takes 2 s over every accepted message, and remembers each as room:id. */
@ApplicationScoped
public class SlowObserver {

    private final List<String> seen = new CopyOnWriteArrayList<>();

    void accepted(@ObservesAsync RoomEvents.MessageAccepted message) throws InterruptedException {
        Thread.sleep(2_000);
        seen.add(message.room() + ":" + message.id());
    }

    /** The messages observed so far, as room:id. */
    public List<String> seen() {
        return List.copyOf(seen);
    }
}
