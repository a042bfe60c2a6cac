package dev.chorus.bench;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.Resume;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import dev.chorus.testsupport.Settings;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fan-out through the rooms with peers that cost nothing, so the figures are Chorus' own:
 * what one broadcast to a room of {@value #MEMBERS} costs, the same with stalled members in the
 * room (clients that stopped reading), and the heap an idle connection takes. Stalled members are
 * compared as ratios against the healthy room measured in the same run. Run {@code bench/run}.
 */
public final class FanoutBenchmark {

    private static final int MEMBERS = 1_000;
    private static final int WARMUP_BROADCASTS = 3_000;
    private static final int MEASURED_BROADCASTS = 5_000;
    private static final int IDLE_MEMBERS = 10_000;
    private static final String TEXT = "x".repeat(100);
    /** Stalled members in the room, case by case. */
    private static final int[] STALLED = {0, 1, MEMBERS / 10};
    /**
     * Outboxes large enough that stalled members stay in the room for the whole run: the worst
     * case, before the default bound (1024 frames) would drop them.
     */
    private static final ChatSettings SETTINGS = Settings.defaultsWith(new ChatSettings.Outbound(MEMBERS + WARMUP_BROADCASTS + MEASURED_BROADCASTS, Long.MAX_VALUE, 10), new ChatSettings.Limits(Integer.MAX_VALUE, 0, Integer.MAX_VALUE));

    private FanoutBenchmark() {
    }

    public static void main(String[] args) {
        // A first pass over every case, unreported: the JIT recompiles the send path the first
        // time a stalled member shows up, and measuring across that made one stalled member look
        // 1.6 times as costly as it is.
        for (int stalled : STALLED) {
            broadcast(stalled);
        }
        Figures healthy = broadcast(0);
        System.out.println("fan-out to a room of " + MEMBERS + " members, " + MEASURED_BROADCASTS
                + " broadcasts of " + TEXT.length() + " characters, one thread:");
        print("all reading", healthy, healthy);
        for (int stalled : STALLED) {
            if (stalled > 0) {
                print(stalled + " stalled", broadcast(stalled), healthy);
            }
        }
        print("all reading", broadcast(0), healthy);
        System.out.printf(Locale.ROOT, "heap per idle connection (rooms side): %,d bytes%n", heapPerIdleMember());
    }

    private static void print(String label, Figures figures, Figures baseline) {
        System.out.printf(Locale.ROOT, "  %-12s p50 %7.1f us  p99 %7.1f us  %,11.0f deliveries/s  GC %4d ms"
                + "  p50 ratio to all reading %.2f%n", label, figures.p50Nanos / 1e3, figures.p99Nanos / 1e3,
                figures.deliveriesPerSecond, figures.gcMillis, (double) figures.p50Nanos / baseline.p50Nanos);
    }

    private record Figures(long p50Nanos, long p99Nanos, double deliveriesPerSecond, long gcMillis) {
    }

    private static Figures broadcast(int stalled) {
        Rooms rooms = rooms();
        AtomicLong delivered = new AtomicLong();
        Member sender = rooms.join("bench", "sender", Resume.FRESH, new BenchPeer(delivered, false));
        for (int i = 0; i < MEMBERS - 1; i++) {
            rooms.join("bench", "m" + i, Resume.FRESH, new BenchPeer(delivered, i < stalled));
        }
        for (int i = 0; i < WARMUP_BROADCASTS; i++) {
            rooms.publish(sender, TEXT);
        }
        long[] nanos = new long[MEASURED_BROADCASTS];
        long gcBefore = gcMillis();
        long before = delivered.get();
        long started = System.nanoTime();
        for (int i = 0; i < MEASURED_BROADCASTS; i++) {
            long t = System.nanoTime();
            rooms.publish(sender, TEXT);
            nanos[i] = System.nanoTime() - t;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long gc = gcMillis() - gcBefore;
        long expected = (long) MEASURED_BROADCASTS * (MEMBERS - stalled);
        if (delivered.get() - before != expected) {
            throw new IllegalStateException("expected " + expected + " deliveries, got " + (delivered.get() - before));
        }
        Arrays.sort(nanos);
        return new Figures(nanos[nanos.length / 2], nanos[nanos.length * 99 / 100], expected / seconds, gc);
    }

    private static long heapPerIdleMember() {
        long baseline = usedHeapAfterGc();
        Rooms rooms = rooms();
        AtomicLong delivered = new AtomicLong();
        for (int i = 0; i < IDLE_MEMBERS; i++) {
            rooms.join("room" + i % 100, "m" + i, Resume.FRESH, new BenchPeer(delivered, false));
        }
        long used = usedHeapAfterGc();
        if (rooms.members() != IDLE_MEMBERS) {
            throw new IllegalStateException("members: " + rooms.members());
        }
        return (used - baseline) / IDLE_MEMBERS;
    }

    private static Rooms rooms() {
        return new Rooms(SETTINGS, new ChatMetrics(), Clocks.SYSTEM);
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(gc -> Math.max(0, gc.getCollectionTime())).sum();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Completes every send at once, or, stalled, never: a client that stopped reading. */
    private record BenchPeer(AtomicLong delivered, boolean stalled) implements Peer {

        private static final SendResult OK = new SendResult();

        @Override
        public void send(String frame, SendHandler done) {
            if (!stalled) {
                delivered.incrementAndGet();
                done.onResult(OK);
            }
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(CloseReason reason) {
        }
    }
}
