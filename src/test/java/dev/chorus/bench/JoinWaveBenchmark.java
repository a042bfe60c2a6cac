package dev.chorus.bench;

import dev.chorus.testsupport.RedisServer;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/**
 * A join wave on a cluster: the same number of clients join one room through each node at once,
 * at a fixed rate per node, with the same names on every node (c0, c1, … as load generators give),
 * and stay for a hold. Prints per node how many were welcomed, how many were still connected at
 * the end, the close codes of those that were sent away, and the joins per second reached; with
 * {@code --redis=PORT}, what the wave cost Redis per command ({@code INFO commandstats}, reset first)
 * and its memory; with {@code --pids=PID,…} (the nodes', in the order of the URLs), each node's CPU,
 * resident memory and heap after a full GC per connection, taken at the end of the hold.
 * Loopback only, bounded by its ramp and hold. Not a test: {@code bench/join-wave} runs it.
 */
public final class JoinWaveBenchmark {

    private final BenchOptions options;
    /** One client container for every connection (Tyrus's shared one), not a transport per connection. */
    private final ClientManager tyrus = ClientManager.createClient();
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();

    private JoinWaveBenchmark(BenchOptions options) {
        this.options = options;
        tyrus.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
    }

    public static void main(String[] args) throws Exception {
        new JoinWaveBenchmark(new BenchOptions(Map.of("urls", "ws://127.0.0.1:8080/chorus/chat/wave",
                "clients", "3000", "ramp", "1000", "hold", "20"), args)).run();
        System.exit(0);
    }

    /** What one node's clients saw. */
    private static final class NodeWave {
        final URI room;
        /** Connections the client could not even start. */
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger welcomed = new AtomicInteger();
        final AtomicLong lastWelcomeNanos = new AtomicLong();
        final ConcurrentMap<Integer, AtomicInteger> closes = new ConcurrentHashMap<>();
        final List<Future<Session>> connecting = new CopyOnWriteArrayList<>();

        NodeWave(URI room) {
            this.room = room;
        }

        int connected() {
            return welcomed.get() - closes.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    private void run() throws Exception {
        List<URI> rooms = options.loopbacks("urls");
        int clients = options.number("clients");
        int ramp = options.number("ramp");
        String redis = options.text("redis");
        if (redis != null) {
            RedisServer.command(Integer.parseInt(redis), "CONFIG RESETSTAT");
        }
        List<NodeWave> waves = rooms.stream().map(NodeWave::new).toList();
        List<String> pids = options.text("pids") == null ? List.of() : List.of(options.text("pids").split(","));
        List<ServerSample> before = new ArrayList<>();
        for (String pid : pids) {
            before.add(ServerSample.of(pid));
        }
        long start = System.nanoTime();
        long everyNanos = TimeUnit.SECONDS.toNanos(1) / ramp;
        for (NodeWave wave : waves) {
            for (int i = 0; i < clients; i++) {
                int index = i;
                pace.schedule(() -> join(wave, index), i * everyNanos, TimeUnit.NANOSECONDS);
            }
        }
        Duration rampTime = Duration.ofNanos(clients * everyNanos);
        // The ramp, then the hold: the clients stay connected meanwhile, nothing to wait on but time.
        long end = System.nanoTime() + rampTime.plusSeconds(options.number("hold")).toNanos();
        while (System.nanoTime() - end < 0) {
            LockSupport.parkNanos(end - System.nanoTime());
        }
        pace.shutdownNow();
        // While every client still holds its connection: what each node costs for them.
        for (int i = 0; i < pids.size() && i < waves.size(); i++) {
            ServerSample now = ServerSample.of(pids.get(i));
            double heapMib = ServerSample.heapAfterFullGcMib(pids.get(i));
            System.out.printf(Locale.ROOT, "node=%s cpu_s=%.1f rss_mib=%d heap_after_full_gc_mib=%.1f"
                            + " heap_kib_per_connection=%.1f%n", waves.get(i).room.getAuthority(), now.cpuSecondsSince(before.get(i)),
                    now.rssKib() / 1024, heapMib, heapMib * 1024 / Math.max(1, waves.get(i).connected()));
        }

        int welcomed = 0;
        int connected = 0;
        for (NodeWave wave : waves) {
            double seconds = (wave.lastWelcomeNanos.get() - start) / 1e9;
            long failed = wave.refused.get() + wave.connecting.stream().filter(JoinWaveBenchmark::failed).count();
            System.out.printf(Locale.ROOT, "node=%s clients=%d welcomed=%d connected_at_end=%d failed_handshakes=%d"
                            + " joins_per_s=%.0f closes=%s%n", wave.room.getAuthority(), clients, wave.welcomed.get(),
                    wave.connected(), failed, seconds > 0 ? wave.welcomed.get() / seconds : 0, wave.closes);
            welcomed += wave.welcomed.get();
            connected += wave.connected();
        }
        System.out.printf(Locale.ROOT, "total: nodes=%d clients=%d welcomed=%d connected_at_end=%d%n",
                waves.size(), clients * waves.size(), welcomed, connected);
        if (redis != null) {
            for (String line : RedisServer.command(Integer.parseInt(redis), "INFO memory").split("\r?\n")) {
                if (line.startsWith("used_memory:")) {
                    System.out.println("redis " + line);
                }
            }
            for (String line : RedisServer.command(Integer.parseInt(redis), "INFO commandstats").split("\r?\n")) {
                if (line.matches("cmdstat_(xrange|xrevrange|xadd|evalsha|spublish|sadd|set):.*")) {
                    System.out.println("redis " + line.replaceAll(",rejected_calls.*", ""));
                }
            }
        }
        tyrus.shutdown();
    }

    private static boolean failed(Future<Session> connecting) {
        if (!connecting.isDone()) {
            return false;
        }
        try {
            connecting.get();
            return false;
        } catch (ExecutionException | InterruptedException | CancellationException e) {
            return true;
        }
    }

    private void join(NodeWave wave, int index) {
        URI uri = URI.create(wave.room + "?name=c" + index);
        try {
            wave.connecting.add(tyrus.asyncConnectToServer(new Endpoint() {
                private volatile boolean welcomed;

                @Override
                public void onOpen(Session session, EndpointConfig config) {
                    session.addMessageHandler(String.class, text -> {
                        if (!welcomed && text.contains("\"type\":\"welcome\"")) {
                            welcomed = true;
                            wave.welcomed.incrementAndGet();
                            wave.lastWelcomeNanos.set(System.nanoTime());
                        }
                    });
                }

                @Override
                public void onClose(Session session, CloseReason reason) {
                    if (welcomed) {
                        wave.closes.computeIfAbsent(reason.getCloseCode().getCode(), key -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }, ClientEndpointConfig.Builder.create().build(), uri));
        } catch (DeploymentException e) {
            wave.refused.incrementAndGet();
        }
    }
}
