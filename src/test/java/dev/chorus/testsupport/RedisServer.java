package dev.chorus.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Redis (the system's {@code redis-server}) on a free loopback port, for the tests of rooms
 * that span nodes: only a real server shows what Chorus does when Redis goes away, comes back, or
 * comes back empty. Unless started persistent, it keeps nothing on disk ({@code --save ""}, no
 * append-only file), so {@link #restart()} also loses every key, as a Redis without persistence
 * does in production.
 * Whether it is up is asked with a raw {@code PING}, so the tests need no Redis client of their own.
 */
public final class RedisServer implements AutoCloseable {

    private static final long UP_SECONDS = 10;
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final int port;
    /** Null: keeps nothing, each start is empty. Else the directory its append-only file lives in, across restarts. */
    private final Path appendOnlyIn;
    /** Whether it starts as a node of a Redis Cluster ({@link RedisCluster} joins them). */
    private final boolean clusterNode;
    private ServerProcess process;

    private RedisServer(int port, Path appendOnlyIn, boolean clusterNode) {
        this.port = port;
        this.appendOnlyIn = appendOnlyIn;
        this.clusterNode = clusterNode;
    }

    private RedisServer(int port, Path appendOnlyIn) {
        this(port, appendOnlyIn, false);
    }

    /** A Redis started as a Redis Cluster node, alone until {@link RedisCluster} joins it to others. */
    static RedisServer startClusterNode() {
        RedisServer redis = new RedisServer(freePort(), null, true);
        redis.launch();
        return redis;
    }

    /**
     * A Redis on a free loopback port that writes every command to its append-only file before
     * answering ({@code appendfsync always}), so that a restart finds everything it had.
     */
    public static RedisServer startPersistent() {
        int port = freePort();
        try {
            RedisServer redis = new RedisServer(port, Files.createTempDirectory(
                    Files.createDirectories(Path.of("target").toAbsolutePath().resolve("redis-" + port)), "aof-"));
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("no directory for redis-server's append-only file", e);
        }
    }

    /** A Redis started on a free loopback port, answering {@code PING}. */
    public static RedisServer start() {
        RedisServer redis = on(freePort());
        redis.launch();
        return redis;
    }

    /** A Redis for this port, not started yet: for tests where Redis is down when Chorus boots. */
    public static RedisServer on(int port) {
        return new RedisServer(port, null);
    }

    /** A loopback port nothing listens on now (another process could still take it before use). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Starts the server unless it runs, and waits for its {@code PING}: {@link #start()} is taken. */
    public synchronized void launch() {
        if (isRunning()) {
            return;
        }
        Path target = Path.of("target").toAbsolutePath();
        Path log = target.resolve("redis-" + port + ".log");
        try {
            Path data = appendOnlyIn != null ? appendOnlyIn
                    : Files.createTempDirectory(Files.createDirectories(target.resolve("redis-" + port)), "data-");
            List<String> command = new ArrayList<>(List.of(executable("redis-server"), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", appendOnlyIn != null ? "yes" : "no",
                    "--appendfsync", "always", "--protected-mode", "yes", "--dir", data.toString()));
            if (clusterNode) {
                command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000"));
            }
            process = ServerProcess.start(new ProcessBuilder(command), log);
        } catch (IOException e) {
            throw new AssertionError("cannot start redis-server on port " + port, e);
        }
        try {
            await().atMost(Duration.ofSeconds(UP_SECONDS)).pollInterval(Duration.ofMillis(50))
                    .until(() -> answersPing() || !process.isAlive());
        } catch (ConditionTimeoutException e) {
            // Checked below, with the log.
        }
        if (!answersPing()) {
            String tail = process.tail(40);
            stop();
            throw new AssertionError("redis-server did not come up on port " + port + "; " + tail);
        }
    }

    /** {@code redis://127.0.0.1:port}, whether or not the server is running. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server as an operator would (SIGTERM), and kills it if it has not gone within 10 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.stop(STOP_GRACE);
        process = null;
    }

    /** Stops the server and starts it again on the same port: empty, unless it is persistent. */
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    /** How many keys match the pattern ({@code KEYS}): what Chorus left in Redis. */
    public int keys(String pattern) {
        try {
            String reply = firstReplyLine("KEYS " + pattern);
            if (reply == null || !reply.startsWith("*")) {
                throw new AssertionError("KEYS answered " + reply);
            }
            return Integer.parseInt(reply.substring(1));
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server on port " + port + " did not answer", e);
        }
    }

    /**
     * How many times Redis ran the command since it started or {@link #resetStats}, scripts' own
     * calls included ({@code INFO commandstats}): what a node's work costs Redis.
     */
    public long calls(String command) {
        String prefix = "cmdstat_" + command.toLowerCase(java.util.Locale.ROOT) + ":calls=";
        for (String line : bulkReply("INFO commandstats").split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length(), line.indexOf(',', prefix.length())));
            }
        }
        return 0;
    }

    /** Stops the server's process (SIGSTOP): a Redis that answers nothing, and whose keys still expire by the clock. */
    public void freeze() {
        signal("-STOP");
    }

    /** Lets a {@link #freeze frozen} server go on (SIGCONT). */
    public void thaw() {
        signal("-CONT");
    }

    private synchronized void signal(String signal) {
        process.signal(signal);
    }

    /** The members of a set ({@code SMEMBERS}), sorted: what a node listed there. */
    public List<String> members(String set) {
        String reply = bulkReply("SMEMBERS " + set);
        return reply.isEmpty() ? List.of() : Arrays.stream(reply.split("\n")).sorted().toList();
    }

    /** Makes every other client's commands wait this long ({@code CLIENT PAUSE}): a Redis too busy to answer in time. */
    public void pauseClients(Duration pause) {
        bulkReply("CLIENT PAUSE " + pause.toMillis() + " ALL");
    }

    /** Zeroes the counts {@link #calls} reads ({@code CONFIG RESETSTAT}). */
    public void resetStats() {
        bulkReply("CONFIG RESETSTAT");
    }

    /** One {@code PING} over a fresh connection; false on anything but {@code +PONG}. */
    private boolean answersPing() {
        try {
            return "+PONG".equals(firstReplyLine("PING"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends one inline command (words without spaces) over a fresh connection; the reply's first line. */
    private String firstReplyLine(String command) throws IOException {
        return reply(command, false);
    }

    /** The text of a bulk reply (as {@code CLUSTER INFO} gives), or the first line of any other. */
    String bulkReply(String command) {
        try {
            return reply(command, true);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server on port " + port + " did not answer", e);
        }
    }

    private String reply(String command, boolean bulk) throws IOException {
        return reply(port, command, bulk);
    }

    /**
     * Sends one inline command to the Redis on this loopback port over a fresh connection: the
     * text of a bulk reply, or the first line of any other (a benchmark asks its Redis this way).
     */
    public static String command(int port, String command) throws IOException {
        return reply(port, command, true);
    }

    private static String reply(int port, String command, boolean bulk) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String first = reader.readLine();
            if (!bulk || first == null) {
                return first;
            }
            if (first.startsWith("*")) {
                // An array of bulk strings (SMEMBERS): its elements, one per line.
                List<String> elements = new ArrayList<>();
                for (int i = Integer.parseInt(first.substring(1)); i > 0; i--) {
                    elements.add(bulk(reader, reader.readLine()));
                }
                return String.join("\n", elements);
            }
            return first.startsWith("$") ? bulk(reader, first) : first;
        }
    }

    /** The body of a bulk string whose header ({@code $length}) was read. */
    private static String bulk(BufferedReader reader, String header) throws IOException {
        char[] body = new char[Integer.parseInt(header.substring(1))];
        int read = 0;
        while (read < body.length) {
            int n = reader.read(body, read, body.length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        reader.readLine();
        return new String(body, 0, read);
    }

    /** The installed program of that name (Debian's redis-server package has both it and redis-cli). */
    static String executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin";
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(name + " is not installed (apt-get install redis-server)");
    }

}
