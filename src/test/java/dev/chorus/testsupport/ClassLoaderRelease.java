package dev.chorus.testsupport;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;

/**
 * How long a server JVM holds on to the class loaders of deployments that were replaced or
 * undeployed, told by the classes they loaded ({@link ServerJvms#loadedClasses}: one class of a
 * name per loader that holds it, after a full GC). One way of counting for every server, so that
 * an application's figure and its control's are taken alike and can be compared.
 */
public final class ClassLoaderRelease {

    /** A full GC and a count this often: each costs the server a stop of a few tens of milliseconds. */
    private static final Duration POLL = Duration.ofSeconds(1);

    private ClassLoaderRelease() {
    }

    /**
     * What the wait found for one class: how many loaders held it at the last count, and how long
     * after the wait began the count was first down to what was expected, if it came down at all.
     */
    public record Settled(String className, long loaders, Optional<Duration> after) {

        @Override
        public String toString() {
            return className + ": " + loaders + " class loaders, "
                    + after.map(time -> "down to the expected count after " + time.toMillis() + " ms")
                            .orElse("never down to the expected count");
        }
    }

    /**
     * Counts, once each {@link #POLL} with a full GC before each count, how many loaders hold each
     * class, until every one is down to {@code expected} or {@code atMost} has passed, and says for
     * each how long that took. All classes are counted in the same rounds, so their times compare.
     */
    public static Map<String, Settled> waitUntil(ProcessHandle jvm, long expected, Duration atMost, List<String> classNames) {
        long from = System.nanoTime();
        Map<String, Long> last = new LinkedHashMap<>();
        Map<String, Duration> reached = new LinkedHashMap<>();
        try {
            await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(POLL).until(() -> {
                Map<String, Long> counts = ServerJvms.loadedClasses(jvm, classNames);
                Duration elapsed = Duration.ofNanos(System.nanoTime() - from);
                synchronized (last) {
                    last.putAll(counts);
                    counts.forEach((name, loaders) -> {
                        if (loaders <= expected) {
                            reached.putIfAbsent(name, elapsed);
                        }
                    });
                    return reached.keySet().containsAll(classNames);
                }
            });
        } catch (ConditionTimeoutException e) {
            // Reported in the result: the classes whose count never came down have no time.
        }
        Map<String, Settled> settled = new LinkedHashMap<>();
        synchronized (last) {
            if (last.isEmpty()) {
                last.putAll(ServerJvms.loadedClasses(jvm, classNames));
            }
            for (String name : classNames) {
                settled.put(name, new Settled(name, last.get(name), Optional.ofNullable(reached.get(name))));
            }
        }
        return settled;
    }
}
