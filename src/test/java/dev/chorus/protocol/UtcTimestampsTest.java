package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The events' {@code ts} is written exactly as the JDK writes the instant to the millisecond, whatever the instant. */
class UtcTimestampsTest {

    @Test
    void writesWhatTheJdkWritesToTheMillisecond() {
        SplittableRandom random = new SplittableRandom(29);
        for (int i = 0; i < 200_000; i++) {
            // Seconds from before 1970 to past 9999, and nanos that are whole seconds a tenth of the time.
            long seconds = random.nextLong(-100_000_000_000L, 300_000_000_000L);
            int nanos = random.nextInt(10) == 0 ? random.nextInt(1000) : random.nextInt(1_000_000_000);
            assertSameAsTheJdk(Instant.ofEpochSecond(seconds, nanos));
        }
    }

    @Test
    void theEdgesOfDaysAndSecondsAndTheMillisecondKeptFromTheLastCall() {
        Instant midnight = Instant.parse("2026-12-31T23:59:59.999Z");
        for (Instant instant : new Instant[] {midnight, midnight, midnight.plusNanos(1), midnight.plusMillis(1),
            midnight.plusMillis(1).plusNanos(999_999), Instant.parse("2026-12-06T09:07:05Z"), Instant.parse("2026-12-06T09:07:05.010Z"),
            Instant.EPOCH, Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("+10000-01-01T00:00:00.001Z"),
            Instant.parse("2024-02-29T12:00:00.100Z"), midnight}) {
            assertSameAsTheJdk(instant);
        }
    }

    private static void assertSameAsTheJdk(Instant instant) {
        assertEquals(instant.truncatedTo(ChronoUnit.MILLIS).toString(), UtcTimestamps.of(instant), instant::toString);
    }
}
