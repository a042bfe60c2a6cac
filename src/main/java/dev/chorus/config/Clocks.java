package dev.chorus.config;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The two times the chat reads: wall time, which stamps messages ({@code ts}), and monotonic
 * time, which paces senders and measures silences and sends (wall time can jump). Tests hand
 * the registry clocks they move by hand, so nothing in them waits for time to pass.
 */
public record Clocks(Clock wall, LongSupplier monotonic) {

    public static final Clocks SYSTEM = new Clocks(Clock.systemUTC(), System::nanoTime);

    /** Monotonic time now, in {@link System#nanoTime} terms. */
    public long nanoTime() {
        return monotonic.getAsLong();
    }

    /** Gives the beans the system's clocks. */
    @Dependent
    public static class Source {
        @Produces
        Clocks system() {
            return SYSTEM;
        }
    }
}
