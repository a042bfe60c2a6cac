package dev.chorus.protocol;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/**
 * Instants as the events' {@code ts}: ISO-8601 UTC to the millisecond, exactly as
 * {@code instant.truncatedTo(MILLIS).toString()} writes them ({@code 2026-11-25T09:19:07.123Z}, no
 * fraction at a whole second). Written by hand and kept for the last millisecond and day: every
 * message and ack carries one, and the JDK's formatter was a measurable share of a busy node's
 * numbering thread (and of what its JIT compiles while a fresh node takes its first load).
 */
final class UtcTimestamps {

    /** The text of one millisecond. */
    private record Formatted(long epochMilli, String text) { }

    /** The date part of one day, {@code 2026-11-25T}. */
    private record Day(long epochDay, String prefix) { }

    private static final long SECONDS_PER_DAY = 86_400;
    /** 9999-12-31T23:59:59Z: past it the JDK writes a sign and five digits, so it writes those itself. */
    private static final long LAST_FOUR_DIGIT_SECOND = 253_402_300_799L;

    private static volatile Formatted last = new Formatted(Long.MIN_VALUE, "");
    private static volatile Day day = new Day(Long.MIN_VALUE, "");

    private UtcTimestamps() {
    }

    static String of(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds > LAST_FOUR_DIGIT_SECOND) {
            return instant.truncatedTo(ChronoUnit.MILLIS).toString();
        }
        int millis = instant.getNano() / 1_000_000;
        long epochMilli = seconds * 1000 + millis;
        Formatted kept = last;
        if (kept.epochMilli() == epochMilli) {
            return kept.text();
        }
        long epochDay = seconds / SECONDS_PER_DAY;
        int secondOfDay = (int) (seconds % SECONDS_PER_DAY);
        Day today = day;
        if (today.epochDay() != epochDay) {
            today = new Day(epochDay, LocalDate.ofEpochDay(epochDay) + "T");
            day = today;
        }
        StringBuilder text = new StringBuilder(24).append(today.prefix());
        digits(text, secondOfDay / 3600, 2).append(':');
        digits(text, secondOfDay / 60 % 60, 2).append(':');
        digits(text, secondOfDay % 60, 2);
        if (millis != 0) {
            digits(text.append('.'), millis, 3);
        }
        String written = text.append('Z').toString();
        last = new Formatted(epochMilli, written);
        return written;
    }

    /** Appends {@code value} in {@code width} decimal digits, zeros in front. */
    private static StringBuilder digits(StringBuilder text, int value, int width) {
        for (int unit = width == 3 ? 100 : 10; unit > 0; unit /= 10) {
            text.append((char) ('0' + value / unit % 10));
        }
        return text;
    }
}
