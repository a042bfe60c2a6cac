package dev.chorus.bench;

import dev.chorus.testsupport.StalledClient;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A long run against a deployed Chorus: steady members in one room receive a steady sender's
 * messages while other clients join and leave (half of them vanishing without a close frame) and
 * clients that never read come and go. Every minute the server's heap is measured after a full GC
 * (jcmd); at the end it prints the heap's slope, what the steady members lost or got out of order,
 * and what the server still counts once every client is gone. Loopback only, bounded by its
 * duration. Not a test: {@code bench/soak} runs it.
 */
public final class SoakBenchmark {

    private static final Duration SAMPLE_EVERY = Duration.ofMinutes(1);
    private static final Duration SETTLE = Duration.ofSeconds(10);
    /** How long the steady members may take to receive the last messages. */
    private static final Duration DRAIN = Duration.ofSeconds(30);
    /** How long the server may take to count nobody once every client is gone: past the 60 s silence rule. */
    private static final Duration EMPTY_WITHIN = Duration.ofSeconds(90);

    private final BenchOptions options;
    private final ClientManager tyrus = ClientManager.createClient();
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong churnCycles = new AtomicLong();

    private SoakBenchmark(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        new SoakBenchmark(new BenchOptions(Map.of("base", "http://127.0.0.1:8080/chorus/",
                "minutes", "30", "steady", "10", "rate", "10", "churners", "4", "stalled", "2"), args)).run();
    }

    private URI chat(String room, String name) {
        return URI.create(options.text("base").replaceFirst("^http", "ws") + "chat/" + room + "?name=" + name);
    }

    private void run() throws Exception {
        options.loopback("base");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(options.number("minutes"));
        List<Steady> steady = new ArrayList<>();
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < options.number("steady"); i++) {
            Steady member = new Steady();
            steady.add(member);
            sessions.add(tyrus.connectToServer(member, ClientEndpointConfig.Builder.create().build(), chat("soak", "s" + i)));
        }
        Steady senderSide = new Steady();
        Session sender = tyrus.connectToServer(senderSide, ClientEndpointConfig.Builder.create().build(), chat("soak", "sender"));
        ExecutorService clients = Executors.newFixedThreadPool(1 + options.number("churners"));
        clients.execute(() -> send(sender, deadline));
        for (int i = 0; i < options.number("churners"); i++) {
            int churner = i;
            clients.execute(() -> churn(churner, deadline));
        }

        List<double[]> samples = new ArrayList<>();
        long started = System.nanoTime();
        List<StalledClient> stalled = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < options.number("stalled"); i++) {
                stalled.add(StalledClient.connect(chat("soak", "stalled" + samples.size() + "-" + i)));
            }
            double minute = (System.nanoTime() - started) / 6e10;
            double heapMiB = heapAfterFullGc();
            samples.add(new double[] {minute, heapMiB});
            System.out.printf(Locale.ROOT, "minute=%.1f heap_after_gc_mib=%.1f sent=%d churn_cycles=%d steady_closed=%s %s%n",
                    minute, heapMiB, sent.get(), churnCycles.get(), closedEarly(steady, senderSide), stats());
            TimeUnit.NANOSECONDS.sleep(Math.min(SAMPLE_EVERY.toNanos(), Math.max(0, deadline - System.nanoTime())));
        }
        clients.shutdown();
        clients.awaitTermination(SETTLE.toSeconds() + 60, TimeUnit.SECONDS);
        // What the room accepted: every message the sender sent but the ones refused for rate.
        long accepted = sent.get() - senderSide.refused.get();
        long drainBy = System.nanoTime() + DRAIN.toNanos();
        while (System.nanoTime() < drainBy && steady.stream().anyMatch(member -> member.received.get() < accepted)) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        long lost = 0;
        long reordered = 0;
        for (Steady member : steady) {
            lost += accepted - member.received.get();
            reordered += member.reordered.get();
        }
        String closedEarly = closedEarly(steady, senderSide).toString().replace(' ', '_');
        for (Session session : sessions) {
            session.close();
        }
        sender.close();
        for (StalledClient client : stalled) {
            client.close();
        }
        // Every client is gone; how long until the server counts nobody (a vanished client may wait
        // for the heartbeat's silence rule).
        long left = System.nanoTime();
        long emptyBy = left + EMPTY_WITHIN.toNanos();
        while (System.nanoTime() < emptyBy && !stats().contains("\"members\":0")) {
            TimeUnit.MILLISECONDS.sleep(500);
        }
        System.out.printf(Locale.ROOT, "soak: minutes=%s sent=%d refused_for_rate=%d churn_cycles=%d steady_lost=%d"
                        + " steady_reordered=%d steady_closed=%s heap_slope_mib_per_min=%.3f empty_after_s=%.1f %s%n", options.text("minutes"),
                sent.get(), senderSide.refused.get(), churnCycles.get(), lost, reordered, closedEarly, slope(samples),
                (System.nanoTime() - left) / 1e9, stats());
        System.exit(0);
    }

    /** The steady clients the server closed before the end, with the close each got. */
    private static List<String> closedEarly(List<Steady> steady, Steady sender) {
        List<String> closed = new ArrayList<>();
        for (int i = 0; i < steady.size(); i++) {
            if (steady.get(i).closed != null) {
                closed.add("s" + i + ":" + steady.get(i).closed);
            }
        }
        if (sender.closed != null) {
            closed.add("sender:" + sender.closed);
        }
        return closed;
    }

    private void send(Session sender, long deadline) {
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / options.number("rate");
        for (long next = System.nanoTime(); next < deadline && sender.isOpen(); next += periodNanos) {
            sender.getAsyncRemote().sendText(Long.toString(sent.incrementAndGet()));
            long wait = next + periodNanos - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    /** Joins and leaves until the deadline; half the time it vanishes without a close frame. */
    private void churn(int churner, long deadline) {
        for (long cycle = 0; System.nanoTime() < deadline; cycle++) {
            String name = "c" + churner + "-" + cycle;
            try {
                if (ThreadLocalRandom.current().nextBoolean()) {
                    Session session = tyrus.connectToServer(new Steady(), ClientEndpointConfig.Builder.create().build(),
                            chat("soak", name));
                    session.getBasicRemote().sendText("churn " + name);
                    session.close();
                } else {
                    StalledClient.connect(chat("soak", name)).close();
                }
                churnCycles.incrementAndGet();
            } catch (Exception refused) {
                // Counted by the server (refused handshakes, closes); the next cycle tries again.
            }
        }
    }

    private String stats() throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create(options.text("base") + "api/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return "stats=" + body.replace(" ", "");
    }

    /** Heap in use after a full GC, from jcmd on the server's PID. */
    private double heapAfterFullGc() throws IOException, InterruptedException {
        String pid = options.text("pid");
        return pid == null ? Double.NaN : ServerSample.heapAfterFullGcMib(pid);
    }

    /** Least-squares slope of heap over time, MiB per minute, leaving out the first sample (start-up). */
    private static double slope(List<double[]> samples) {
        List<double[]> settled = samples.size() > 2 ? samples.subList(1, samples.size()) : samples;
        double n = settled.size();
        double sx = 0, sy = 0, sxy = 0, sxx = 0;
        for (double[] sample : settled) {
            sx += sample[0];
            sy += sample[1];
            sxy += sample[0] * sample[1];
            sxx += sample[0] * sample[0];
        }
        double denominator = n * sxx - sx * sx;
        return denominator == 0 ? Double.NaN : (n * sxy - sx * sy) / denominator;
    }

    /** A steady member: counts the sender's numbered messages and checks their order. */
    private static final class Steady extends Endpoint implements MessageHandler.Whole<String> {

        private static final Pattern SEQ = Pattern.compile("\"from\":\"sender\",\"text\":\"(\\d+)\"");
        final AtomicLong received = new AtomicLong();
        /** Messages of this client's that the server refused for rate (when it is the sender). */
        final AtomicLong refused = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();
        /** How the server closed this client, if it did before the end: a steady member must never see one. */
        volatile String closed;
        private long last;

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(this);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed = reason.getCloseCode().getCode() + " " + reason.getReasonPhrase();
        }

        @Override
        public synchronized void onMessage(String frame) {
            if (frame.contains("\"code\":\"rate-limited\"")) {
                refused.incrementAndGet();
            }
            Matcher seq = SEQ.matcher(frame);
            if (seq.find()) {
                long n = Long.parseLong(seq.group(1));
                if (n <= last) { // a repeat or a step back; gaps are refusals for rate, counted apart
                    reordered.incrementAndGet();
                }
                last = Math.max(last, n);
                received.incrementAndGet();
            }
        }
    }
}
