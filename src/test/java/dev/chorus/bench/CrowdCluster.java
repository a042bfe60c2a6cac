package dev.chorus.bench;

import dev.chorus.testsupport.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@link CrowdBenchmark} process asks of the cluster itself rather than of its members: how
 * many the nodes hold (their stats and members resources), each node's CPU, memory and heap per
 * connection and Redis's memory and commands while the crowd is held, and the killing of a node.
 * Loopback only: the nodes' URLs and Redis's port come from the options. Not a test.
 */
final class CrowdCluster {

    private final BenchOptions options;
    /** Each node's room URL, in the nodes' order. */
    private final List<URI> rooms;
    /** The nodes' CPU and memory when the process started, in the order of the URLs. */
    private final List<ServerSample> nodesBefore = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CrowdCluster(BenchOptions options, List<URI> rooms) throws IOException {
        this.options = options;
        this.rooms = rooms;
        for (String pid : pids()) {
            nodesBefore.add(ServerSample.of(pid));
        }
    }

    List<String> pids() {
        return options.text("pids") == null ? List.of() : List.of(options.text("pids").split(","));
    }

    /**
     * Kills a node with SIGKILL (index in the URLs' order) and writes when, for every process to
     * time the leaves from; says which, for the progress line.
     */
    String kill(int node) {
        long pid = Long.parseLong(pids().get(node));
        String which = "node " + rooms.get(node).getAuthority() + " (pid " + pid + ")";
        long at = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        try {
            Files.writeString(Path.of(options.text("kill-mark")), Long.toString(at));
        } catch (IOException | RuntimeException e) {
            System.err.println("crowd " + options.text("prefix") + ": cannot write the kill time: " + e);
        }
        return which;
    }

    /**
     * The whole room's member count, as the first node's members resource gives it; with rooms of a
     * size, every node's connections together; -1 if unknown.
     */
    int roomCount(boolean inRooms) throws InterruptedException {
        if (inRooms) {
            int total = 0;
            for (URI node : rooms) {
                int held = nodeMembers(node);
                total += Math.max(0, held);
            }
            return total;
        }
        URI room = rooms.get(0);
        String path = room.getRawPath();
        int chat = path.lastIndexOf("/chat/");
        URI members = URI.create("http://" + room.getAuthority() + path.substring(0, chat) + "/api/rooms/"
                + path.substring(chat + "/chat/".length()) + "/members?limit=1");
        return jsonNumber(get(members), "\"count\":");
    }

    /** How many connections a node holds, from its stats resource; -1 if it does not answer. */
    private int nodeMembers(URI room) throws InterruptedException {
        String path = room.getRawPath();
        return jsonNumber(get(URI.create("http://" + room.getAuthority() + path.substring(0, path.lastIndexOf("/chat/")) + "/api/stats")),
                "\"members\":");
    }

    private String get(URI uri) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        }
    }

    private static int jsonNumber(String json, String key) {
        int at = json.indexOf(key);
        if (at < 0) {
            return -1;
        }
        byte[] digits = json.substring(at + key.length()).getBytes(StandardCharsets.US_ASCII);
        return (int) CrowdConnection.number(digits, 0, digits.length);
    }

    /** Each node's CPU, memory and heap per connection, and Redis's memory, printed while the room is held. */
    void sampleNodes(int roomCount) throws IOException, InterruptedException {
        List<String> pids = pids();
        for (int i = 0; i < pids.size() && i < rooms.size(); i++) {
            if (ProcessHandle.of(Long.parseLong(pids.get(i))).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
                System.out.printf(Locale.ROOT, "node=%s killed%n", rooms.get(i).getAuthority());
                continue;
            }
            ServerSample now = ServerSample.of(pids.get(i));
            URI room = rooms.get(i);
            int members = nodeMembers(room);
            double heapMib = ServerSample.heapAfterFullGcMib(pids.get(i));
            int per = Math.max(1, members);
            System.out.printf(Locale.ROOT, "node=%s members=%d cpu_s=%.1f rss_mib=%d heap_after_full_gc_mib=%.1f"
                            + " heap_kib_per_connection=%.1f rss_kib_per_connection=%.1f%n", room.getAuthority(), members,
                    now.cpuSecondsSince(nodesBefore.get(i)), now.rssKib() / 1024, heapMib,
                    heapMib * 1024 / per, (double) now.rssKib() / per);
        }
        String redis = options.text("redis");
        if (redis != null) {
            long used = infoNumber(RedisServer.command(Integer.parseInt(redis), "INFO memory"), "used_memory:");
            String stats = RedisServer.command(Integer.parseInt(redis), "INFO stats");
            System.out.printf(Locale.ROOT, "redis used_memory_mib=%.1f bytes_per_member=%.0f instantaneous_ops_per_sec=%d"
                            + " total_commands_processed=%d room_count=%d%n", used / 1048576.0, (double) used / Math.max(1, roomCount),
                    infoNumber(stats, "instantaneous_ops_per_sec:"), infoNumber(stats, "total_commands_processed:"), roomCount);
        }
    }

    /** Redis's count of commands processed so far; -1 without {@code --redis}. */
    long redisCommands() {
        String redis = options.text("redis");
        try {
            return redis == null ? -1 : infoNumber(RedisServer.command(Integer.parseInt(redis), "INFO stats"), "total_commands_processed:");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long infoNumber(String info, String key) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).strip());
            }
        }
        return -1;
    }
}
