package dev.chorus.bench;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A crowd of mostly idle members in one room of a cluster, from one process: {@code clients}
 * WebSockets dealt round the nodes' URLs, opened at {@code ramp} handshakes a second with at most
 * {@code inflight} unanswered (more only queue at the nodes, whose worker queues then overflow and
 * drop connections), each bound to one of several loopback {@code sources} so that ephemeral ports
 * last, held for {@code hold} seconds, then closed with 1000. The hold begins once the room counts
 * {@code room-total} members, or its count stopped growing, or {@code settle} seconds after this
 * process's ramp, so that processes ramping side by side hold the whole crowd together. The clients
 * speak RFC 6455 themselves over one selector thread ({@link CrowdConnection}), because a Tyrus
 * client per member holds a node's handshakes far below what the node takes and costs more memory
 * than the member it measures. They answer the server's pings, note the welcome's {@code count},
 * and check each message's id for loss, repetition and reordering.
 * <p>
 * With {@code --sender=1}, this process's first member sends {@code send} messages during the hold,
 * {@code every-ms} apart, each carrying {@link System#nanoTime()}; every process (one machine, one
 * monotonic clock) takes each delivery's latency from it, and expects {@code send} messages per
 * member. With {@code --pids=PID,…} (the nodes', in the order of the URLs) and
 * {@code --redis=PORT}, it first prints, at the hold's start, each node's CPU, resident memory and heap
 * after a full GC per connection, and Redis's memory, while the whole room is held.
 * <p>
 * Prints one line of {@code key=value} figures, with how long each member waited from its connect
 * to its welcome besides the delivery latency; {@code --out=STEM} also writes both histograms to
 * {@code STEM-delivery.hdr} and {@code STEM-welcome.hdr}, and {@code --merge=STEM,…} adds several
 * processes' lines ({@code STEM.txt}) and histograms into a total line. Loopback only, bounded by
 * its ramp, hold and a hard deadline. Not a test: {@code bench/crowd} runs it.
 */
public final class CrowdBenchmark {

    /** What one process may hold, with room under a process's descriptor limit for the JVM's own files. */
    private static final int MAX_CLIENTS = 16_000;
    /** How long closing handshakes may take at the end before the sockets are cut. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);
    /** How long the room's count may stay unchanged before the hold begins short of the whole run. */
    private static final long STILL = TimeUnit.SECONDS.toNanos(5);
    /** How long the last message may take to reach everyone before the nodes are sampled. */
    private static final long DRAIN_MILLIS = 5_000;
    /** The shared read buffer's first size; it grows to the largest frame met. */
    private static final int READ_BUFFER = 256 * 1024;
    /** Room left beside a kept partial frame for the next read. */
    private static final int MIN_READ = 16 * 1024;
    /** Frames past this (a welcome's history is bounded far below it) are a broken server. */
    private static final int MAX_FRAME = 8 * 1024 * 1024;
    private static final byte[] WELCOME = "{\"type\":\"welcome\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE = "{\"type\":\"message\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COUNT = "\"count\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STAMP = "\"text\":\"t=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "{\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ACK = "{\"type\":\"ack\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GAP = "{\"type\":\"gap\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LEAVE = "{\"type\":\"leave\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EPOCH = "\"epoch\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AFTER = "\"after\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNTIL = "\"until\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESET = "\"reset\":true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MEMBER = "\"member\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUOTE = {'"'};
    /** How long a node that refused a connection is passed over by reconnects, as a load balancer's health check would. */
    private static final long NODE_DOWN = TimeUnit.SECONDS.toNanos(5);
    private static final byte[] CODE = "\"code\":\"".getBytes(StandardCharsets.US_ASCII);

    private enum Phase { RAMP, GATHER, HOLD, CLOSING }

    private final BenchOptions options;
    private final List<URI> rooms;
    private final List<InetSocketAddress> servers = new ArrayList<>();
    private final List<InetAddress> sources = new ArrayList<>();
    private final int clients;
    private final CrowdConnection[] connections;
    private final SplittableRandom random = new SplittableRandom();
    private final MessageDigest sha1 = CrowdConnection.sha1();
    /** From a message's send to its arrival, every delivery. */
    private final Histogram deliveryMicros = new Histogram(3);
    /** From a member's connect to its welcome. */
    private final Histogram welcomeMicros = new Histogram(3);
    private final Map<String, Integer> failures = new TreeMap<>();
    /** Handshakes of members reconnecting that failed, by cause (they are tried again). */
    private final Map<String, Integer> reconnectFailures = new TreeMap<>();
    private final Map<Integer, Integer> closes = new TreeMap<>();
    /** The server's error events by code: refused joins and refused messages. */
    private final Map<String, Integer> errors = new TreeMap<>();
    private final Tally tally = new Tally();
    /** The nodes' CPU and memory when this process started, in the order of the URLs. */
    private final ExecutorService preparing = Executors.newSingleThreadExecutor(daemon("crowd-prepare"));
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("crowd-watchdog"));
    /** The nodes and Redis, as the cluster itself answers for them. */
    private CrowdCluster cluster;
    private Selector selector;
    private ByteBuffer shared = ByteBuffer.allocate(READ_BUFFER);

    private int opened;
    /** Handshakes unanswered: the ramp's and the reconnecting members'. */
    private int inflight;
    private int resumesInflight;
    /** Channels open, connecting or closing. */
    private int live;
    private int handshakesOk;
    private int welcomed;
    private int welcomeCountMin = Integer.MAX_VALUE;
    private int welcomeCountMax;
    private long lastWelcomeNanos;
    private long messages;
    private final CrowdMembers members;
    /** Rooms mode: a node's refusal time plus {@link #NODE_DOWN}, per node; reconnects pass it over until then. */
    private final long[] nodeDownUntil;
    private int nextNode;
    /** When each leave of a member the killed node held arrived (System.nanoTime), for how long presence took. */
    private long[] leaves = new long[1024];
    private int leaveCount;
    private long sendSkipped;
    private volatile Phase phase = Phase.RAMP;
    private int protocolErrors;
    private int closedClean;
    private int connectedAtEnd;
    private volatile int sent;
    private CrowdConnection sender;
    /** When the hold began (System.nanoTime): once the room was full; 0 before. */
    private volatile long holdFrom;
    private volatile int roomCountAtHold = -1;
    /** When the sender may begin (System.nanoTime), once the hold began; 0 before. */
    private volatile long sendFrom;

    private CrowdBenchmark(BenchOptions options) throws IOException {
        this.options = options;
        rooms = options.loopbacks("urls");
        for (URI room : rooms) {
            servers.add(new InetSocketAddress(InetAddress.getByName(room.getHost()), room.getPort()));
        }
        for (String source : options.text("sources").split(",")) {
            InetAddress address = InetAddress.getByName(source.strip());
            if (!address.isLoopbackAddress()) {
                throw new IllegalArgumentException("loopback sources only: " + source);
            }
            sources.add(address);
        }
        clients = options.number("clients");
        if (clients < 1 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException("--clients must be 1 to " + MAX_CLIENTS + " per process, was " + clients);
        }
        connections = new CrowdConnection[clients];
        members = new CrowdMembers(clients, options.number("room-size"));
        nodeDownUntil = new long[servers.size()];
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = new BenchOptions(Map.ofEntries(Map.entry("urls", "ws://127.0.0.1:8080/chorus/chat/crowd"),
                Map.entry("clients", "1000"), Map.entry("ramp", "500"), Map.entry("inflight", "100"),
                Map.entry("hold", "30"), Map.entry("prefix", "c"), Map.entry("send", "0"), Map.entry("every-ms", "1000"),
                Map.entry("sender", "0"), Map.entry("room-total", "0"), Map.entry("settle", "30"),
                Map.entry("handshake-timeout", "30"), Map.entry("deadline", "0"),
                Map.entry("room-size", "0"), Map.entry("rate", "0"), Map.entry("send-seconds", "0"), Map.entry("reconnect", "0"),
                Map.entry("kill", "0"), Map.entry("kill-after-ms", "10000"),
                Map.entry("sources", "127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9")), args);
        if (options.text("merge") != null) {
            CrowdTotals.merge(options.text("merge").split(","));
        } else {
            new CrowdBenchmark(options).run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        int ramp = options.number("ramp");
        int inflightLimit = options.number("inflight");
        long hold = TimeUnit.SECONDS.toNanos(options.number("hold"));
        long handshakeTimeout = TimeUnit.SECONDS.toNanos(options.number("handshake-timeout"));
        long rampNanos = TimeUnit.SECONDS.toNanos(clients) / ramp;
        // Generous by default: it is there to end a run that is stuck, not one whose servers join slower than asked.
        long deadlineNanos = options.number("deadline") > 0 ? TimeUnit.SECONDS.toNanos(options.number("deadline"))
                : 10 * rampNanos + TimeUnit.SECONDS.toNanos(options.number("settle")) + hold + TimeUnit.SECONDS.toNanos(300);
        cluster = new CrowdCluster(options, rooms);
        // The loop below ends itself at the deadline; this is for a loop that cannot (a stuck sampling, a GC storm).
        watchdog.schedule(() -> {
            System.err.println("crowd " + options.text("prefix") + ": past its deadline, halting");
            Runtime.getRuntime().halt(3);
        }, deadlineNanos + TimeUnit.SECONDS.toNanos(60), TimeUnit.NANOSECONDS);

        selector = Selector.open();
        long start = System.nanoTime();
        long deadline = start + deadlineNanos;
        long rampEnd = 0;
        long holdEnd = 0;
        long closeBy = 0;
        long nextSweep = start + TimeUnit.SECONDS.toNanos(1);
        long nextProgress = start + TimeUnit.SECONDS.toNanos(10);
        boolean deadlineHit = false;
        ServerSample self = null;
        long nextReconnects = start;
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                progress("deadline reached in " + phase);
                deadlineHit = true;
                break;
            }
            long waitMillis = 100;
            if (phase == Phase.RAMP) {
                long due = Math.min(clients, 1 + (now - start) * ramp / TimeUnit.SECONDS.toNanos(1));
                while (opened < due && inflight < inflightLimit) {
                    open(opened, opened % servers.size(), now);
                    opened++;
                }
                if (opened == clients && inflight == resumesInflight) {
                    progress("ramp done: " + welcomed + " welcomed, " + failures + " failed handshakes");
                    phase = Phase.GATHER;
                    rampEnd = now;
                    long settleBy = now + TimeUnit.SECONDS.toNanos(options.number("settle"));
                    preparing.execute(() -> gather(settleBy));
                } else {
                    waitMillis = 1;
                }
            }
            if (phase == Phase.GATHER && holdFrom != 0) {
                progress("holding, the room counting " + roomCountAtHold);
                phase = Phase.HOLD;
                holdEnd = holdFrom + hold;
            }
            if (phase == Phase.HOLD) {
                waitMillis = Math.min(waitMillis, sendDue(now));
                if (now - holdEnd >= 0) {
                    progress("closing, " + sent + " sent, " + messages + " messages received");
                    self = ServerSample.of(Long.toString(ProcessHandle.current().pid()));
                    closeAll();
                    phase = Phase.CLOSING;
                    closeBy = now + CLOSE_GRACE.toNanos();
                }
            }
            if (phase == Phase.CLOSING && (live == 0 || now - closeBy >= 0)) {
                break;
            }
            if (phase != Phase.CLOSING && members.waiting > 0 && now - nextReconnects >= 0) {
                for (int i = 0; i < opened && inflight < inflightLimit; i++) {
                    if (members.due(i, now)) {
                        open(i, healthyNode(now), now);
                    }
                }
                nextReconnects = now + TimeUnit.MILLISECONDS.toNanos(20);
                waitMillis = Math.min(waitMillis, 20);
            }
            if (phase == Phase.RAMP && now - nextProgress >= 0) {
                progress("ramping: " + opened + " opened, " + inflight + " in flight, " + welcomed + " welcomed");
                nextProgress = now + TimeUnit.SECONDS.toNanos(10);
            }
            if (now - nextSweep >= 0) {
                sweepHandshakes(now, handshakeTimeout);
                nextSweep = now + TimeUnit.SECONDS.toNanos(1);
            }
            selector.select(Math.max(1, waitMillis));
            for (SelectionKey key : selector.selectedKeys()) {
                ready(key);
            }
            selector.selectedKeys().clear();
        }
        if (self == null) {
            self = ServerSample.of(Long.toString(ProcessHandle.current().pid()));
            for (CrowdConnection connection : connections) {
                if (connection != null && connection.state == CrowdConnection.State.OPEN) {
                    connectedAtEnd++;
                    members.settle(connection.index);
                }
            }
        }
        int unclosed = live;
        for (CrowdConnection connection : connections) {
            if (connection != null) {
                connection.channel.close();
            }
        }
        selector.close();
        if (options.text("out") != null) {
            for (Map.Entry<String, Histogram> histogram : Map.of("delivery", deliveryMicros, "welcome", welcomeMicros,
                    "reconnect", members.reconnectMicros, "leave", leaveMicros()).entrySet()) {
                ByteBuffer encoded = ByteBuffer.allocate(histogram.getValue().getNeededByteBufferCapacity());
                int length = histogram.getValue().encodeIntoCompressedByteBuffer(encoded);
                Files.write(Path.of(options.text("out") + "-" + histogram.getKey() + ".hdr"), Arrays.copyOf(encoded.array(), length));
            }
        }
        System.out.println(line(start, self, unclosed, deadlineHit, holdFrom == 0 || rampEnd == 0 ? 0 : holdFrom - rampEnd));
    }

    /** The process's figures, one line. */
    private String line(long start, ServerSample self, int unclosed, boolean deadlineHit, long gatherNanos) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("prefix", options.text("prefix"));
        figures.put("clients", clients);
        figures.put("handshakes_ok", handshakesOk);
        figures.put("handshake_failures", failures.values().stream().mapToInt(Integer::intValue).sum());
        failures.forEach((cause, count) -> figures.put("failed_" + cause, count));
        figures.put("welcomed", welcomed);
        figures.put("connected_at_end", connectedAtEnd);
        figures.put("closes", closes.values().stream().mapToInt(Integer::intValue).sum());
        closes.forEach((code, count) -> figures.put("close_" + code, count));
        figures.put("errors", errors.values().stream().mapToInt(Integer::intValue).sum());
        errors.forEach((code, count) -> figures.put("error_" + code, count));
        figures.put("closed_clean", closedClean);
        figures.put("unclosed", unclosed);
        figures.put("protocol_errors", protocolErrors);
        double rampSeconds = (lastWelcomeNanos - start) / 1e9;
        figures.put("ramp_s", String.format(Locale.ROOT, "%.1f", Math.max(0, rampSeconds)));
        figures.put("joins_per_s", Math.round(rampSeconds > 0 ? welcomed / rampSeconds : 0));
        CrowdTotals.putPercentiles(figures, "welcome_", welcomeMicros);
        figures.put("welcome_count_min", welcomed > 0 ? welcomeCountMin : 0);
        figures.put("welcome_count_max", welcomeCountMax);
        figures.put("gather_s", String.format(Locale.ROOT, "%.1f", gatherNanos / 1e9));
        figures.put("room_count_at_hold", roomCountAtHold);
        figures.put("sent", sent);
        figures.put("messages_received", messages);
        if (members.roomSize == 0) {
            int messagesSent = options.number("send");
            long expected = Math.max(0, (long) messagesSent * welcomed - (options.number("sender") == 1 ? messagesSent : 0));
            figures.put("expected", expected);
            figures.put("lost", Math.max(0, expected - (messages - members.duplicated)));
        } else {
            figures.put("rooms", members.rooms());
            figures.put("send_skipped", sendSkipped);
            figures.put("acked", members.acked);
            figures.put("room_ids", members.newestIds());
            figures.put("unacked_at_drop", members.unackedAtDrop);
            figures.put("resumed_from_history", members.resumedFromHistory);
            figures.put("told_lost", members.toldLost);
            figures.put("lost", members.silentlyLost);
        }
        figures.put("reordered", members.reordered);
        figures.put("duplicated", members.duplicated);
        CrowdTotals.putPercentiles(figures, "", deliveryMicros);
        if (options.number("reconnect") == 1) {
            figures.put("reconnects", members.reconnects);
            figures.put("waiting_at_end", members.waiting);
            reconnectFailures.forEach((cause, count) -> figures.put("refailed_" + cause, count));
            CrowdTotals.putPercentiles(figures, "reconnect_", members.reconnectMicros);
        }
        if (options.number("kill") > 0) {
            Histogram leave = leaveMicros();
            figures.put("leaves_seen", leave.getTotalCount());
            CrowdTotals.putPercentiles(figures, "leave_after_kill_", leave);
        }
        figures.put("rss_mib", self.rssKib() / 1024);
        figures.put("cpu_s", String.format(Locale.ROOT, "%.1f", self.cpuTicks() / 100.0));
        if (deadlineHit) {
            figures.put("deadline_hit", 1);
        }
        StringBuilder line = new StringBuilder();
        figures.forEach((key, value) -> line.append(line.length() == 0 ? "" : " ").append(key).append('=').append(value));
        return line.toString();
    }

    private void open(int index, int node, long now) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
        } catch (IOException e) {
            failures.merge("open", 1, Integer::sum);
            return;
        }
        CrowdConnection connection = new CrowdConnection(index, node, members.reconnecting(index), channel, now);
        connections[index] = connection;
        inflight++;
        if (connection.resuming) {
            resumesInflight++;
        }
        live++;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.bind(new InetSocketAddress(sources.get(index % sources.size()), 0));
            boolean connected = channel.connect(servers.get(node));
            connection.key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, connection);
            if (connected) {
                upgrade(connection);
            }
        } catch (BindException e) {
            handshakeFailed(connection, "bind");
        } catch (ConnectException e) {
            handshakeFailed(connection, "refused");
        } catch (IOException e) {
            handshakeFailed(connection, "connect");
        }
    }

    private void upgrade(CrowdConnection connection) {
        connection.state = CrowdConnection.State.UPGRADING;
        connection.key.interestOps(SelectionKey.OP_READ);
        write(connection, connection.upgradeRequest(roomUri(connection), options.text("prefix") + "-" + connection.index, random, sha1));
    }

    /**
     * The room's address on the connection's node: the node's URL, or with rooms of a size that
     * room's own ({@code crowd-p0-17}), and for a member that lost its connection the resume from
     * where it stood, as the client module does.
     */
    private URI roomUri(CrowdConnection connection) {
        URI node = rooms.get(connection.node);
        String path = node.getRawPath() + (members.roomSize == 0 ? "" : "-" + options.text("prefix") + "-" + members.room(connection.index));
        String resume = members.reconnecting(connection.index) ? members.resumeQuery(connection.index) : null;
        String query = node.getRawQuery() == null ? resume : resume == null ? node.getRawQuery() : node.getRawQuery() + "&" + resume;
        return URI.create(node.getScheme() + "://" + node.getRawAuthority() + path + (query == null ? "" : "?" + query));
    }

    /** The next node round the list that has not refused a connection lately, as a load balancer would pick. */
    private int healthyNode(long now) {
        for (int tried = 0; tried < servers.size(); tried++) {
            int node = Math.floorMod(nextNode++, servers.size());
            if (now - nodeDownUntil[node] >= 0) {
                return node;
            }
        }
        return Math.floorMod(nextNode++, servers.size());
    }

    private void ready(SelectionKey key) {
        CrowdConnection connection = (CrowdConnection) key.attachment();
        if (!key.isValid()) {
            return;
        }
        if (key.isConnectable()) {
            try {
                connection.channel.finishConnect();
            } catch (ConnectException e) {
                handshakeFailed(connection, "refused");
                return;
            } catch (IOException e) {
                handshakeFailed(connection, "connect");
                return;
            }
            upgrade(connection);
            return;
        }
        if (key.isWritable()) {
            flush(connection);
        }
        if (key.isValid() && key.isReadable()) {
            read(connection);
        }
    }

    private void read(CrowdConnection connection) {
        ByteBuffer buffer = shared.clear();
        if (connection.leftover != null) {
            if (connection.leftover.length + MIN_READ > buffer.capacity()) {
                shared = ByteBuffer.allocate(connection.leftover.length + MIN_READ);
                buffer = shared;
            }
            buffer.put(connection.leftover);
            connection.leftover = null;
        }
        int read;
        try {
            read = connection.channel.read(buffer);
        } catch (IOException e) {
            ended(connection, "reset");
            return;
        }
        if (read < 0) {
            ended(connection, "eof");
            return;
        }
        long nanos = System.nanoTime();
        byte[] array = buffer.array();
        int to = buffer.position();
        try {
            int from = 0;
            if (connection.state == CrowdConnection.State.UPGRADING) {
                from = connection.upgrade(array, 0, to);
                if (from < 0) {
                    return;
                }
                connection.state = CrowdConnection.State.OPEN;
                inflight--;
                if (connection.resuming) {
                    resumesInflight--;
                }
                handshakesOk++;
            }
            int needed = connection.frames(array, from, to, tally, nanos);
            if (needed > MAX_FRAME) {
                throw new CrowdConnection.Refusal("oversized_frame");
            }
            if (needed + MIN_READ > shared.capacity()) {
                shared = ByteBuffer.allocate(needed + MIN_READ);
            }
        } catch (CrowdConnection.Refusal refusal) {
            if (connection.state == CrowdConnection.State.UPGRADING) {
                handshakeFailed(connection, refusal.getMessage());
            } else {
                protocolErrors++;
                shut(connection);
            }
        }
    }

    /** The server frames' handling: what the crowd counts. */
    private final class Tally implements CrowdConnection.Frames {

        @Override
        public void text(CrowdConnection connection, byte[] array, int from, int to, long nanos) {
            if (startsWith(array, from, to, ERROR)) {
                int code = CrowdConnection.indexOf(array, from, to, CODE);
                int end = code < 0 ? -1 : CrowdConnection.indexOf(array, code + CODE.length, to, new byte[] {'"'});
                String name = end < 0 ? "unknown" : new String(array, code + CODE.length, end - code - CODE.length,
                        StandardCharsets.UTF_8).replaceAll("[^A-Za-z0-9]", "_");
                errors.merge(name, 1, Integer::sum);
                return;
            }
            if (!connection.welcomed) {
                if (startsWith(array, from, to, GAP)) {
                    gap(connection.index, array, from, to);
                } else if (startsWith(array, from, to, WELCOME)) {
                    welcome(connection, array, from, to, nanos);
                }
                return;
            }
            if (startsWith(array, from, to, ACK)) {
                members.ack(connection.index, id(array, from, to));
                return;
            }
            if (startsWith(array, from, to, LEAVE)) {
                leave(array, from, to, nanos);
                return;
            }
            if (!startsWith(array, from, to, MESSAGE)) {
                return;
            }
            messages++;
            members.delivered(connection.index, id(array, from, to));
            int stampAt = CrowdConnection.indexOf(array, from, to, STAMP);
            long stamp = stampAt < 0 ? -1 : CrowdConnection.number(array, stampAt + STAMP.length, to);
            if (stamp >= 0 && nanos - stamp >= 0) {
                deliveryMicros.recordValue((nanos - stamp) / 1000);
            }
        }

        @Override
        public void ping(CrowdConnection connection, byte[] array, int from, int to) {
            write(connection, CrowdConnection.frame(CrowdConnection.PONG, array, from, to, random));
        }

        @Override
        public void close(CrowdConnection connection, int code) {
            if (connection.state == CrowdConnection.State.CLOSING) {
                closedClean++;
                return;
            }
            // The server's own close: counted by code, answered with the same, then the server ends the TCP connection.
            closes.merge(code, 1, Integer::sum);
            connection.state = CrowdConnection.State.CLOSING;
            write(connection, CrowdConnection.closeFrame(code, random));
            if (code != 1000 && code != 1003 && code != 1008 && code != 1009 && code != 4000) {
                reconnectLater(connection);
            }
        }
    }

    private void welcome(CrowdConnection connection, byte[] array, int from, int to, long nanos) {
        connection.welcomed = true;
        int index = connection.index;
        int epochAt = CrowdConnection.indexOf(array, from, to, EPOCH);
        int epochEnd = epochAt < 0 ? -1 : CrowdConnection.indexOf(array, epochAt + EPOCH.length, to, QUOTE);
        if (epochEnd > 0) {
            members.epoch(index, new String(array, epochAt + EPOCH.length, epochEnd - epochAt - EPOCH.length, StandardCharsets.US_ASCII));
        }
        if (members.reconnecting(index)) {
            // A resume: the welcome's history holds what the member missed, in order.
            for (int at = CrowdConnection.indexOf(array, from + WELCOME.length, to, MESSAGE); at >= 0;
                    at = CrowdConnection.indexOf(array, at + MESSAGE.length, to, MESSAGE)) {
                members.resumedFromHistory++;
                members.delivered(index, id(array, at, to));
            }
            members.resumed(index, nanos);
            return;
        }
        welcomed++;
        welcomeMicros.recordValue((nanos - connection.startedNanos) / 1000);
        lastWelcomeNanos = nanos;
        int count = CrowdConnection.indexOf(array, from, to, COUNT);
        if (count >= 0) {
            int roomMembers = (int) CrowdConnection.number(array, count + COUNT.length, to);
            welcomeCountMin = Math.min(welcomeCountMin, roomMembers);
            welcomeCountMax = Math.max(welcomeCountMax, roomMembers);
        }
    }

    private void gap(int index, byte[] array, int from, int to) {
        if (CrowdConnection.indexOf(array, from, to, RESET) >= 0) {
            members.reset(index);
            return;
        }
        int after = CrowdConnection.indexOf(array, from, to, AFTER);
        int until = CrowdConnection.indexOf(array, from, to, UNTIL);
        if (after >= 0 && until >= 0) {
            members.gap(index, CrowdConnection.number(array, after + AFTER.length, to), CrowdConnection.number(array, until + UNTIL.length, to));
        }
    }

    /** A leave event: noted if it names one of this process's members that the killed node held. */
    private void leave(byte[] array, int from, int to, long nanos) {
        int killed = options.number("kill") - 1;
        int at = CrowdConnection.indexOf(array, from, to, MEMBER);
        // Only during the hold: at its end every member leaves, some under the names they had on the killed node.
        if (killed < 0 || at < 0 || phase != Phase.HOLD) {
            return;
        }
        String prefix = options.text("prefix") + "-";
        int name = at + MEMBER.length;
        int end = CrowdConnection.indexOf(array, name, to, QUOTE);
        if (end < 0 || end - name <= prefix.length()
                || !new String(array, name, prefix.length(), StandardCharsets.US_ASCII).equals(prefix)
                || CrowdConnection.indexOf(array, name, end, new byte[] {'#'}) >= 0) {
            return;
        }
        long member = CrowdConnection.number(array, name + prefix.length(), end);
        if (member >= 0 && member % servers.size() == killed) {
            if (leaveCount == leaves.length) {
                leaves = Arrays.copyOf(leaves, leaves.length * 2);
            }
            leaves[leaveCount++] = nanos;
        }
    }

    /** How long after the kill each noted leave arrived; empty without a kill. */
    private Histogram leaveMicros() {
        Histogram micros = new Histogram(3);
        Path mark = options.text("kill-mark") == null ? null : Path.of(options.text("kill-mark"));
        try {
            if (mark != null && Files.exists(mark)) {
                long killed = Long.parseLong(Files.readString(mark).strip());
                for (int i = 0; i < leaveCount; i++) {
                    if (leaves[i] - killed >= 0) {
                        micros.recordValue((leaves[i] - killed) / 1000);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("crowd " + options.text("prefix") + ": no kill time in " + mark + ": " + e);
        }
        return micros;
    }

    private static long id(byte[] array, int from, int to) {
        int at = CrowdConnection.indexOf(array, from, to, ID);
        return at < 0 ? -1 : CrowdConnection.number(array, at + ID.length, to);
    }

    private static boolean startsWith(byte[] array, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(array, from, from + prefix.length, prefix, 0, prefix.length);
    }

    /** The socket ended: during the upgrade a failed handshake, while open a close without a close frame (1006). */
    private void ended(CrowdConnection connection, String cause) {
        switch (connection.state) {
            case CONNECTING, UPGRADING -> handshakeFailed(connection, cause);
            case OPEN -> {
                closes.merge(1006, 1, Integer::sum);
                shut(connection);
                reconnectLater(connection);
            }
            case CLOSING -> shut(connection);
            case DONE -> {
                // Already counted.
            }
        }
    }

    private void handshakeFailed(CrowdConnection connection, String cause) {
        if (connection.state != CrowdConnection.State.CONNECTING && connection.state != CrowdConnection.State.UPGRADING) {
            return;
        }
        inflight--;
        if (connection.resuming) {
            resumesInflight--;
        }
        shut(connection);
        if (members.reconnecting(connection.index)) {
            reconnectFailures.merge(cause, 1, Integer::sum);
            if (cause.equals("refused")) {
                nodeDownUntil[connection.node] = System.nanoTime() + NODE_DOWN;
            }
            reconnectLater(connection);
        } else {
            failures.merge(cause, 1, Integer::sum);
        }
    }

    /**
     * With {@code --reconnect=1}, a member whose connection the server ended (or that was already
     * reconnecting) connects again after the client module's back-off and resumes; never once the
     * run is closing, and never for a member that was never welcomed (its failure is the ramp's).
     */
    private void reconnectLater(CrowdConnection connection) {
        if (options.number("reconnect") == 1 && phase != Phase.CLOSING && connections[connection.index] == connection
                && (connection.welcomed || members.reconnecting(connection.index))) {
            members.dropped(connection.index, System.nanoTime(), random);
        }
    }

    private void shut(CrowdConnection connection) {
        if (connection.state == CrowdConnection.State.DONE) {
            return;
        }
        connection.state = CrowdConnection.State.DONE;
        connection.leftover = null;
        connection.unwritten = null;
        live--;
        try {
            connection.channel.close();
        } catch (IOException e) {
            // Closed either way.
        }
    }

    private void write(CrowdConnection connection, ByteBuffer bytes) {
        if (connection.state == CrowdConnection.State.DONE) {
            return;
        }
        if (connection.unwritten != null) {
            connection.unwritten = ByteBuffer.allocate(connection.unwritten.remaining() + bytes.remaining())
                    .put(connection.unwritten).put(bytes).flip();
            return;
        }
        try {
            connection.channel.write(bytes);
        } catch (IOException e) {
            ended(connection, "reset");
            return;
        }
        if (bytes.hasRemaining()) {
            connection.unwritten = bytes;
            connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private void flush(CrowdConnection connection) {
        try {
            connection.channel.write(connection.unwritten);
        } catch (IOException e) {
            ended(connection, "reset");
            return;
        }
        if (!connection.unwritten.hasRemaining()) {
            connection.unwritten = null;
            connection.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void sweepHandshakes(long now, long timeout) {
        for (int i = 0; i < opened; i++) {
            CrowdConnection connection = connections[i];
            if (connection != null && now - connection.startedNanos > timeout) {
                handshakeFailed(connection, "timeout");
            }
        }
    }

    /** How many messages this process sends: {@code send} from its sender, or {@code rate} a second for {@code send-seconds} over its rooms. */
    private int sends() {
        if (members.roomSize > 0) {
            return options.number("rate") * options.number("send-seconds");
        }
        return options.number("sender") == 1 ? options.number("send") : 0;
    }

    /** How long the sends take, in milliseconds. */
    private long sendMillis() {
        return members.roomSize > 0 ? TimeUnit.SECONDS.toMillis(options.number("send-seconds"))
                : (long) options.number("send") * options.number("every-ms");
    }

    /** Sends the next message if it is due; how long until the one after, in milliseconds. */
    private long sendDue(long now) {
        long from = sendFrom;
        if (from == 0 || sent >= sends()) {
            return 100;
        }
        long every = members.roomSize > 0 ? TimeUnit.SECONDS.toNanos(1) / Math.max(1, options.number("rate"))
                : TimeUnit.MILLISECONDS.toNanos(options.number("every-ms"));
        long next = from + sent * every;
        if (members.roomSize > 0) {
            // Behind by more than a few sends (a GC, a busy selector): catch up in one pass, bounded.
            for (int burst = 0; burst < 100 && now - next >= 0 && sent < sends(); burst++, next = from + sent * every) {
                sendToRoom(sent % members.rooms(), sent / members.rooms());
                sent++;
            }
            return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now));
        }
        if (now - next < 0) {
            return TimeUnit.NANOSECONDS.toMillis(next - now);
        }
        if (sender == null || sender.state != CrowdConnection.State.OPEN) {
            sender = Arrays.stream(connections).filter(c -> c != null && c.state == CrowdConnection.State.OPEN && c.welcomed)
                    .findFirst().orElse(null);
        }
        sent++;
        if (sender != null) {
            byte[] text = ("t=" + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
            write(sender, CrowdConnection.frame(CrowdConnection.TEXT, text, 0, text.length, random));
        }
        if (sent == options.number("send")) {
            progress("sent " + sent + (sender == null ? ", no member open to send them" : ", from member " + sender.index));
        }
        return 1;
    }

    /** A message to one room from the first of its members, counted from {@code turn}, that is open and welcomed. */
    private void sendToRoom(int room, int turn) {
        int size = members.roomSize;
        for (int k = 0; k < size; k++) {
            int member = room * size + Math.floorMod(turn + k, size);
            CrowdConnection connection = member < clients ? connections[member] : null;
            if (connection != null && connection.state == CrowdConnection.State.OPEN && connection.welcomed) {
                byte[] text = ("t=" + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
                write(connection, CrowdConnection.frame(CrowdConnection.TEXT, text, 0, text.length, random));
                members.sent(member);
                return;
            }
        }
        sendSkipped++;
    }

    /**
     * After this process's ramp, off the selector thread: waits for the room to count every member
     * of the run, begins the hold, lets the sender begin, and once its messages had time to arrive
     * samples the nodes and Redis while they still hold the room.
     */
    private void gather(long settleBy) {
        int total = options.number("room-total");
        int count = -1;
        try {
            count = total > 0 ? cluster.roomCount(members.roomSize > 0) : -1;
            long changed = System.nanoTime();
            // Failed handshakes never join: a count that stopped growing is as full as the room gets.
            while (total > 0 && count < total && System.nanoTime() - settleBy < 0 && System.nanoTime() - changed < STILL) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                int now = cluster.roomCount(members.roomSize > 0);
                if (now != count) {
                    changed = System.nanoTime();
                    count = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        roomCountAtHold = count;
        holdFrom = System.nanoTime();
        if (sends() > 0) {
            progress("sending");
        }
        sendFrom = System.nanoTime();
        selector.wakeup();
        // The sends first, then the sampling (a full GC on every node): on a saturated machine the
        // sampling can outlast the hold, and would otherwise leave nothing sent.
        long sendsEnd = sendFrom + TimeUnit.MILLISECONDS.toNanos(sendMillis() + DRAIN_MILLIS);
        long killAt = sendFrom + TimeUnit.MILLISECONDS.toNanos(options.number("kill-after-ms"));
        long commandsBefore = cluster.redisCommands();
        boolean killed = options.number("kill") == 0 || cluster.pids().isEmpty();
        while ((sent < sends() || !killed) && System.nanoTime() - sendsEnd < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            if (!killed && System.nanoTime() - killAt >= 0) {
                progress("killed " + cluster.kill(options.number("kill") - 1) + " with SIGKILL");
                killed = true;
            }
        }
        if (commandsBefore >= 0 && sends() > 0) {
            System.out.printf(Locale.ROOT, "redis commands_during_sends=%d send_seconds=%.1f%n", cluster.redisCommands() - commandsBefore,
                    (System.nanoTime() - sendFrom) / 1e9);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
        try {
            cluster.sampleNodes(count);
        } catch (IOException | RuntimeException e) {
            System.err.println("crowd " + options.text("prefix") + ": sampling failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where the run is, on stderr with the wall-clock time, to read its figures against the nodes' logs. */
    private void progress(String what) {
        System.err.println(Instant.now() + " crowd " + options.text("prefix") + ": " + what);
    }

    /** At the hold's end: every open member sends 1000 and waits for the server's close. */
    private void closeAll() {
        for (CrowdConnection connection : connections) {
            if (connection != null && connection.state == CrowdConnection.State.OPEN) {
                connectedAtEnd++;
                members.settle(connection.index);
                connection.state = CrowdConnection.State.CLOSING;
                write(connection, CrowdConnection.closeFrame(1000, random));
            }
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
