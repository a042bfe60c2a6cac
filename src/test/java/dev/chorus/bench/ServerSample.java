package dev.chorus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server processes' CPU time, resident memory and read and write system calls, summed, read
 * from /proc. The calls, because most of a loopback server's CPU is in the kernel, which a JFR
 * profile does not see: writes per delivery say how many deliveries share a socket write.
 */
record ServerSample(long cpuTicks, long rssKib, long reads, long writes) {

    /** {@code /proc/PID/io} is readable by the process's owner only: a server run by another user. */
    private static final long UNREADABLE = -1;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    /** Linux's USER_HZ, which /proc/PID/stat counts CPU time in. */
    private static final double TICKS_PER_SECOND = 100;

    /** The sum over the comma-separated pids (a cluster's nodes and its Redis); null if none given. */
    static ServerSample of(String pids) throws IOException {
        if (pids == null) {
            return null;
        }
        ServerSample sum = new ServerSample(0, 0, 0, 0);
        for (String pid : pids.split(",")) {
            ServerSample one = ofOne(pid.strip());
            sum = new ServerSample(sum.cpuTicks + one.cpuTicks, sum.rssKib + one.rssKib,
                    sum.reads < 0 || one.reads < 0 ? UNREADABLE : sum.reads + one.reads,
                    sum.writes < 0 || one.writes < 0 ? UNREADABLE : sum.writes + one.writes);
        }
        return sum;
    }

    private static ServerSample ofOne(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        long rss = Files.readAllLines(Path.of("/proc", pid, "status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst().orElse(0);
        Map<String, Long> io;
        try {
            io = Files.readAllLines(Path.of("/proc", pid, "io")).stream()
                    .map(line -> line.split(": "))
                    .collect(java.util.stream.Collectors.toMap(pair -> pair[0], pair -> Long.parseLong(pair[1].strip())));
        } catch (IOException onlyItsOwnerReadsIt) {
            io = Map.of("syscr", UNREADABLE, "syscw", UNREADABLE);
        }
        return new ServerSample(ticks, rss, io.get("syscr"), io.get("syscw"));
    }

    /**
     * CPU per delivery after the warm-up only: what a node that has run a while costs. The whole
     * run's figure, as the referee gives it, also carries each fresh JVM's JIT compilation,
     * which two nodes pay twice.
     */
    String steadySince(ServerSample warm, long deliveries) {
        double cpuSeconds = (cpuTicks - warm.cpuTicks) / TICKS_PER_SECOND;
        double per = Math.max(1, deliveries);
        String cpu = String.format(Locale.ROOT, " steady_cpu_us_per_delivery=%.2f", cpuSeconds * 1e6 / per);
        if (reads < 0 || warm.reads < 0) {
            return cpu;
        }
        return cpu + String.format(Locale.ROOT, " steady_reads_per_delivery=%.3f steady_writes_per_delivery=%.3f",
                (reads - warm.reads) / per, (writes - warm.writes) / per);
    }

    String since(ServerSample before, long deliveries) {
        double cpuSeconds = (cpuTicks - before.cpuTicks) / TICKS_PER_SECOND;
        return String.format(Locale.ROOT, " server_cpu_s=%.2f server_cpu_us_per_delivery=%.2f server_rss_mib=%d",
                cpuSeconds, cpuSeconds * 1e6 / Math.max(1, deliveries), rssKib / 1024);
    }

    /** Heap in use after a full GC, in MiB, from jcmd on the JVM's PID. */
    static double heapAfterFullGcMib(String pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) / 1024.0 : Double.NaN;
    }

    /** CPU time in seconds since another sample of the same processes. */
    double cpuSecondsSince(ServerSample before) {
        return (cpuTicks - before.cpuTicks) / TICKS_PER_SECOND;
    }

    private static String jcmd(String pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid, command)
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
