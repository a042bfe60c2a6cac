package dev.chorus.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The crowd's figures over all its client processes: each {@link CrowdBenchmark} process writes
 * its line and its latency histograms, and {@code bench/crowd} has them added into one total line
 * here ({@code CrowdBenchmark --merge=STEM,…}). Not a test.
 */
final class CrowdTotals {

    private CrowdTotals() {
    }

    /**
     * Adds several processes' lines ({@code STEM.txt}, the line with {@code prefix=}) into one:
     * counts summed, minima and maxima kept (the longest ramp, the smallest room a hold began with), the latencies taken again from the merged
     * histograms, because percentiles do not add.
     */
    static void merge(String[] stems) throws IOException, DataFormatException {
        Map<String, Double> totals = new HashMap<>();
        // Each key where its own line puts it: a failure cause one process alone saw goes among the others.
        List<String> order = new ArrayList<>();
        Histogram delivery = new Histogram(3);
        Histogram welcome = new Histogram(3);
        Histogram reconnect = new Histogram(3);
        Histogram leave = new Histogram(3);
        for (String stem : stems) {
            String line = Files.readAllLines(Path.of(stem + ".txt")).stream().filter(l -> l.startsWith("prefix="))
                    .reduce((first, second) -> second).orElse(null);
            if (line == null) {
                System.out.println("crowd: no figures in " + stem + ".txt");
                continue;
            }
            String previous = null;
            for (String pair : line.split(" ")) {
                String[] kv = pair.split("=", 2);
                double value;
                try {
                    value = Double.parseDouble(kv[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                String key = kv[0];
                if (!order.contains(key)) {
                    order.add(previous == null ? 0 : order.indexOf(previous) + 1, key);
                }
                previous = key;
                totals.merge(key, value, key.endsWith("_min") || key.equals("room_count_at_hold") ? Math::min
                        : key.endsWith("_max") || key.equals("ramp_s") || key.equals("gather_s") ? Math::max : Double::sum);
            }
            delivery.add(histogram(Path.of(stem + "-delivery.hdr")));
            welcome.add(histogram(Path.of(stem + "-welcome.hdr")));
            reconnect.add(histogram(Path.of(stem + "-reconnect.hdr")));
            leave.add(histogram(Path.of(stem + "-leave.hdr")));
        }
        // The processes ramp side by side: the crowd's rate is all its joins over the longest ramp.
        totals.computeIfPresent("joins_per_s", (key, sum) -> Math.rint(totals.get("welcomed") / Math.max(1e-9, totals.get("ramp_s"))));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("processes", stems.length);
        for (String key : order) {
            double value = totals.get(key);
            figures.put(key, value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value));
        }
        putPercentiles(figures, "welcome_", welcome);
        putPercentiles(figures, "", delivery);
        if (figures.containsKey("reconnect_p50_ms")) {
            putPercentiles(figures, "reconnect_", reconnect);
        }
        if (figures.containsKey("leave_after_kill_p50_ms")) {
            putPercentiles(figures, "leave_after_kill_", leave);
        }
        StringBuilder line = new StringBuilder("total:");
        figures.forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
        System.out.println(line);
    }

    private static Histogram histogram(Path file) throws IOException, DataFormatException {
        return Files.exists(file) ? Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Files.readAllBytes(file)), 0)
                : new Histogram(3);
    }

    /** A histogram's p50, p99, p999 and maximum in milliseconds, under keys that start with {@code prefix}. */
    static void putPercentiles(Map<String, Object> figures, String prefix, Histogram micros) {
        for (String[] percentile : new String[][] {{"p50_ms", "50"}, {"p99_ms", "99"}, {"p999_ms", "99.9"}, {"max_ms", "100"}}) {
            figures.put(prefix + percentile[0], String.format(Locale.ROOT, "%.2f",
                    micros.getValueAtPercentile(Double.parseDouble(percentile[1])) / 1000.0));
        }
    }
}
