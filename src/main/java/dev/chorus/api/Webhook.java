package dev.chorus.api;

import dev.chorus.config.ChatConfiguration;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Room events as HTTP POSTs of JSON to {@code chorus.webhook.url}, for a backend outside the JVM.
 * Each body is signed with HMAC-SHA256 under {@code chorus.webhook.secret}, in the header
 * {@value #SIGNATURE} ({@code sha256=} and the hex digest), as GitHub and Stripe sign theirs. One
 * thread delivers from a bounded queue, oldest first, so a room's events arrive in their order; an
 * event the backend does not take (an I/O error, a timeout, 408, 429 or 5xx) is tried again after
 * a doubling pause, up to {@code chorus.webhook.attempts} times, then dropped and counted, as are
 * events that find the queue full while the backend is slow or down. Members never wait for it.
 */
@ApplicationScoped
public class Webhook {

    /** The header that carries the body's signature. */
    public static final String SIGNATURE = "Chorus-Signature";

    /** The header that numbers deliveries on this node: a backend that sees one twice (a retry after a lost answer) skips it. */
    public static final String DELIVERY = "Chorus-Delivery";

    private static final Logger LOG = Logger.getLogger(Webhook.class.getName());

    /** Where nothing is configured: takes nothing. */
    public static final Webhook NONE = new Webhook();

    private final URI url;
    private final byte[] secret;
    private final int attempts;
    private final Duration timeout;
    private final Duration firstPause;
    private final BlockingQueue<Delivery> queue;
    private final AtomicLong numbered = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private HttpClient client;
    private Thread sender;

    private record Delivery(long number, String body) {
    }

    @Inject
    public Webhook(ChatConfiguration configuration) {
        this(configuration.webhook(), Duration.ofMillis(500));
    }

    /** Delivering to the target, pausing {@code firstPause} before the first retry and twice as long before each next. */
    public Webhook(ChatConfiguration.WebhookTarget target, Duration firstPause) {
        this.url = target.url().isBlank() ? null : URI.create(target.url().strip());
        this.secret = target.secret().getBytes(StandardCharsets.UTF_8);
        this.attempts = Math.max(1, target.attempts());
        this.timeout = target.timeout();
        this.firstPause = firstPause;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, target.queue()));
        if (url != null) {
            // Its own thread, stopped on undeploy: no container thread runs a delivery, none outlives the WAR.
            this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
            this.sender = new Thread(this::deliverAll, "chorus-webhook");
            sender.setDaemon(true);
            sender.start();
        }
    }

    /** For the container's client proxy, and where nothing is configured. */
    protected Webhook() {
        this.url = null;
        this.secret = new byte[0];
        this.attempts = 1;
        this.timeout = Duration.ZERO;
        this.firstPause = Duration.ZERO;
        this.queue = new ArrayBlockingQueue<>(1);
    }

    /** Whether a URL is configured: callers skip building events otherwise. */
    public boolean isOn() {
        return url != null;
    }

    /** Queues the event, or drops and counts it if the queue is full. */
    public void offer(Object event) {
        if (url == null) {
            return;
        }
        String body = body(event);
        if (body != null && !queue.offer(new Delivery(numbered.incrementAndGet(), body))) {
            dropped.incrementAndGet();
        }
    }

    /** Events the backend took (a 2xx answer). */
    public long delivered() {
        return delivered.get();
    }

    /** Tries after the first, over all events. */
    public long retries() {
        return retries.get();
    }

    /** Events given up on: the queue was full, the backend refused them (another 4xx), or every try failed. */
    public long dropped() {
        return dropped.get();
    }

    /** Events waiting now. */
    public int queued() {
        return queue.size();
    }

    /** Stops the sender; what is still queued is not delivered (the node is going). */
    @PreDestroy
    public void stop() {
        stopping.countDown();
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void deliverAll() {
        try {
            while (stopping.getCount() > 0) {
                Delivery next = queue.poll(1, TimeUnit.SECONDS);
                if (next != null) {
                    deliver(next);
                }
            }
        } catch (InterruptedException e) {
            // Stopping.
        }
    }

    private void deliver(Delivery delivery) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header(DELIVERY, Long.toString(delivery.number()));
        if (secret.length > 0) {
            builder.header(SIGNATURE, signature(secret, delivery.body()));
        }
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofString(delivery.body())).build();
        Duration pause = firstPause;
        String failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                retries.incrementAndGet();
                if (stopping.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                pause = pause.multipliedBy(2);
            }
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    delivered.incrementAndGet();
                    return;
                }
                failure = "answered " + status;
                if (status / 100 == 4 && status != 408 && status != 429) {
                    break;
                }
            } catch (IOException e) {
                failure = e.toString();
            }
        }
        dropped.incrementAndGet();
        LOG.log(Level.WARNING, "Webhook {0}: event {1} dropped, {2}", new Object[] {url, delivery.number(), failure});
    }

    /** {@code sha256=} and the hex HMAC-SHA256 of the body under the secret. */
    public static String signature(byte[] secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** The event as the webhook's JSON, or null if it is not a room event. */
    static String body(Object event) {
        JsonObjectBuilder json = Json.createObjectBuilder();
        if (event instanceof RoomEvents.MessageAccepted message) {
            json.add("type", "message").add("room", message.room()).add("id", message.id()).add("from", message.from())
                    .add("text", message.text()).add("ts", message.ts().truncatedTo(ChronoUnit.MILLIS).toString());
            if (message.fromServer()) {
                json.add("origin", "server");
            }
        } else if (event instanceof RoomEvents.MemberJoined joined) {
            json.add("type", "join").add("room", joined.room()).add("member", joined.member());
        } else if (event instanceof RoomEvents.MemberLeft left) {
            json.add("type", "leave").add("room", left.room()).add("member", left.member());
        } else if (event instanceof RoomEvents.JoinRefused refused) {
            json.add("type", "refused").add("room", refused.room()).add("code", refused.code());
        } else {
            return null;
        }
        return json.build().toString();
    }
}
