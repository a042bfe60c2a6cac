package dev.chorus.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Load against a deployed Chorus over real sockets: {@code clients} members join one room,
 * {@code senders} of them each send {@code rate} messages a second of {@code size} bytes for
 * {@code warmup} plus {@code duration} seconds, and every member checks what it receives: each sender's sequence without gap,
 * repeat or reordering, and the latency from send to delivery (one clock: sender and receivers
 * are in this JVM) into an HdrHistogram, for the messages sent after the warm-up. Senders are spread
 * over the period and clients are the JDK's ({@code java.net.http.WebSocket}), which cost the
 * load far less CPU than Tyrus clients (docs/performance.md compares them). The clients share the machine's cores with the server, so their cost is in every figure.
 * {@code idle-rooms} adds that many rooms, each with one silent member per node. {@code islands=1}
 * takes the URLs for nodes that share nothing (no Redis): each message then reaches its own node's clients.
 * <p>
 * Prints one line of figures: deliveries/s, p50, p99, p999, lost, reordered, and, given the
 * server's PID, its CPU time, RSS and system calls (per delivery over the whole run and after the
 * warm-up). Loopback only, bounded in count and time. Not a test: {@code bench/load} runs it (see
 * docs/performance.md).
 */
public final class LoadBenchmark {

    /** How long the receivers may take to drain once the senders stopped. */
    private static final Duration DRAIN = Duration.ofSeconds(10);
    /**
     * The JDK clients, each with its own selector thread, the connections dealt round them: one
     * thread reading all 100 connections delays the last readers of each message.
     */
    private static final int SELECTORS = 2;
    /** How long all clients may take to join. */
    private static final Duration CONNECT = Duration.ofSeconds(60);

    private final BenchOptions options;
    private final Histogram latencyMicros = new ConcurrentHistogram(3);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    /** Sends before this (System.nanoTime) warm the JIT and the buffers: checked, not timed. */
    private volatile long measureFrom = Long.MAX_VALUE;

    /**
     * One silent member per node in each of {@code --idle-rooms} more rooms (the load's room name
     * with {@code -idle-N} appended), held for the run: a node that has members in many rooms must
     * not pay for each of them on every message of another.
     */
    private List<WebSocket> idleMembers(List<URI> rooms, List<HttpClient> selectors, long connectBy) {
        List<WebSocket> idle = new ArrayList<>();
        for (int r = 0; r < options.number("idle-rooms") && System.nanoTime() < connectBy; r++) {
            for (URI room : rooms) {
                URI uri = URI.create(room + "-idle-" + r + "?name=i" + idle.size());
                idle.add(selectors.get(idle.size() % SELECTORS).newWebSocketBuilder()
                        .buildAsync(uri, new WebSocket.Listener() { }).join());
            }
        }
        return idle;
    }

    private LoadBenchmark(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        new LoadBenchmark(new BenchOptions(Map.of("url", "ws://127.0.0.1:8080/chorus/chat/bench",
                "clients", "100", "senders", "10", "rate", "100", "size", "100", "duration", "20", "warmup", "3", "batch", "0", "idle-rooms", "0", "islands", "0"), args)).run();
    }

    private void run() throws Exception {
        // Several URLs (comma-separated): nodes of one cluster, or islands; clients and senders go round them.
        List<URI> rooms = options.loopbacks("url");
        int clients = options.number("clients");
        int senders = Math.min(options.number("senders"), clients);
        int size = options.number("size");
        List<HttpClient> selectors = new ArrayList<>();
        for (int i = 0; i < SELECTORS; i++) {
            selectors.add(HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2)).build());
        }
        List<WebSocket> sockets = new ArrayList<>();
        long connectBy = System.nanoTime() + CONNECT.toNanos();
        for (int i = 0; i < clients && System.nanoTime() < connectBy; i++) {
            URI uri = URI.create(rooms.get(i % rooms.size()) + "?name=c" + i
                    + (options.text("batch").equals("1") ? "&batch=1" : ""));
            sockets.add(selectors.get(i % SELECTORS).newWebSocketBuilder().buildAsync(uri, new Receiver(senders)).join());
        }
        sockets.addAll(idleMembers(rooms, selectors, connectBy));
        ServerSample before = ServerSample.of(options.text("pid"));

        long periodNanos = TimeUnit.SECONDS.toNanos(1) / options.number("rate");
        long perSender = (long) options.number("rate") * (options.number("warmup") + options.number("duration"));
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(2);
        long started = System.nanoTime();
        measureFrom = started + TimeUnit.SECONDS.toNanos(options.number("warmup"));
        for (int s = 0; s < senders; s++) {
            WebSocket socket = sockets.get(s);
            int sender = s;
            AtomicLong seq = new AtomicLong();
            // The JDK's client takes one send at a time: each waits for the one before.
            CompletableFuture<?>[] previous = {CompletableFuture.completedFuture(null)};
            // Spread over the period, as the referee does: senders firing together would measure a
            // burst of senders x clients deliveries queueing, not the latency of a delivery.
            pace.scheduleAtFixedRate(() -> {
                long n = seq.incrementAndGet();
                if (n > perSender) {
                    return;
                }
                String head = sender + ":" + n + ":" + System.nanoTime() + ":";
                String text = head + "x".repeat(Math.max(0, size - head.length()));
                previous[0] = previous[0].thenCompose(done -> socket.sendText(text, true))
                        .handle((done, failure) -> {
                            if (failure == null) {
                                sent.incrementAndGet();
                            } else {
                                System.err.println("sender " + sender + " failed: " + failure);
                            }
                            return null;
                        });
            }, periodNanos * s / senders, periodNanos, TimeUnit.NANOSECONDS);
        }
        long expected = perSender * receptions(rooms.size(), clients, senders);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, measureFrom - System.nanoTime()));
        ServerSample warm = ServerSample.of(options.text("pid"));
        long deliveredWarm = delivered.get();
        long deadline = measureFrom + TimeUnit.SECONDS.toNanos(options.number("duration")) + DRAIN.toNanos();
        while (delivered.get() < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        pace.shutdownNow();
        ServerSample after = ServerSample.of(options.text("pid"));
        for (WebSocket socket : sockets) {
            socket.abort();
        }

        System.out.printf(Locale.ROOT, "clients=%d senders=%d rate=%s size=%d batch=%s idle_rooms=%s warmup_s=%s sent=%d expected=%d delivered=%d"
                        + " lost=%d reordered=%d deliveries_per_s=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f%s%n",
                clients, senders, options.text("rate"), size, options.text("batch"), options.text("idle-rooms"), options.text("warmup"), sent.get(), expected, delivered.get(),
                expected - delivered.get(), reordered.get(), delivered.get() / seconds,
                latencyMicros.getValueAtPercentile(50) / 1e3, latencyMicros.getValueAtPercentile(99) / 1e3,
                latencyMicros.getValueAtPercentile(99.9) / 1e3, latencyMicros.getMaxValue() / 1e3,
                before == null ? "" : after.since(before, delivered.get()) + after.steadySince(warm, delivered.get() - deliveredWarm));
        System.exit(0);
    }

    /**
     * How many members each message reaches, summed over the senders: every client but the sender,
     * or with {@code --islands=1} (the URLs are nodes that share nothing, each its own room) the
     * clients on the sender's node but the sender. Client i, and so sender i, is on node i mod nodes.
     */
    private long receptions(int nodes, int clients, int senders) {
        if (!options.text("islands").equals("1")) {
            return (long) senders * (clients - 1);
        }
        long total = 0;
        for (int s = 0; s < senders; s++) {
            int node = s % nodes;
            total += (clients - node + nodes - 1) / nodes - 1;
        }
        return total;
    }

    /** One member: reads every event, checks each sender's sequence, records latency. */
    private final class Receiver implements WebSocket.Listener {

        private final long[] lastSeq;
        /** A frame's text so far, when the client hands it over in parts. */
        private final StringBuilder parts = new StringBuilder();

        Receiver(int senders) {
            this.lastSeq = new long[senders];
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            if (!last || parts.length() > 0) {
                parts.append(data);
            }
            if (last) {
                onMessage(parts.length() > 0 ? parts.toString() : data.toString());
                parts.setLength(0);
            }
            socket.request(1);
            return null;
        }

        /** Said, since a member closed by the server explains what the figures then count as lost. */
        @Override
        public CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
            System.err.println("closed by the server: " + code + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            System.err.println("client failed: " + error);
        }

        private void onMessage(String frame) {
            long now = System.nanoTime();
            int start = 0;
            for (int end = frame.indexOf('\n'); end >= 0; end = frame.indexOf('\n', start)) {
                receive(frame.substring(start, end), now);
                start = end + 1;
            }
            receive(start == 0 ? frame : frame.substring(start), now);
        }

        /** Reads a message event's text without a JSON parser: the benchmark's own texts need no escapes. */
        private void receive(String event, long now) {
            if (!event.startsWith("{\"type\":\"message\"")) {
                return;
            }
            int text = event.indexOf("\"text\":\"") + 8;
            String[] fields = event.substring(text, event.indexOf('"', text)).split(":", 4);
            int sender = Integer.parseInt(fields[0]);
            long seq = Long.parseLong(fields[1]);
            synchronized (this) {
                if (seq != lastSeq[sender] + 1) {
                    reordered.incrementAndGet();
                }
                lastSeq[sender] = Math.max(lastSeq[sender], seq);
            }
            long sentAt = Long.parseLong(fields[2]);
            if (sentAt >= measureFrom) {
                latencyMicros.recordValue(Math.max(0, (now - sentAt) / 1_000));
            }
            delivered.incrementAndGet();
        }
    }

}
