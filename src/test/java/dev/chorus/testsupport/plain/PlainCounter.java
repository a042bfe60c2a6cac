package dev.chorus.testsupport.plain;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/** The plain WAR's application-scoped bean: counts the messages its endpoint answered. */
@ApplicationScoped
public class PlainCounter {

    private final AtomicLong answered = new AtomicLong();

    long next() {
        return answered.incrementAndGet();
    }
}
