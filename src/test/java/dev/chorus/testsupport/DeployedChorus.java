package dev.chorus.testsupport;

import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of every integration test: deploys the WAR that Maven built (not a hand-assembled copy),
 * opens clients against it and, after each test, closes them and waits until the server's
 * registry is empty again, so every test also checks that nothing leaks.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
public abstract class DeployedChorus {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern METRIC_SAMPLE = Pattern.compile("^([a-z_]+(?:\\{[^}]*})?) (\\d+)$", Pattern.MULTILINE);

    /**
     * Where the container says the deployment is. Payara Micro reports its first non-loopback
     * interface; tests must only ever talk to loopback, so {@link #address} keeps the port and
     * path but always targets 127.0.0.1.
     */
    @ArquillianResource
    private URL deployedAt;

    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    @Deployment(testable = false)
    public static WebArchive chorus() {
        File war = new File(System.getProperty("chorus.war", "target/chorus.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    /** A path under the deployment, e.g. {@code api/stats}, on loopback. */
    protected URI address(String scheme, String relative) {
        return URI.create(scheme + "://127.0.0.1:" + deployedAt.getPort() + deployedAt.getPath() + relative);
    }

    /** The chat endpoint's address for a room, with the query (e.g. {@code name=alice}) as given. */
    protected URI chat(String room, String query) {
        return address("ws", "chat/" + room + (query.isEmpty() ? "" : "?" + query));
    }

    /** Joins the room under the name, and waits for the welcome. */
    protected ChatClient join(String room, String name) {
        ChatClient client = connect(room, "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        client.next("welcome");
        return client;
    }

    /** Opens a connection with exactly this query, and leaves reading it to the test. */
    protected ChatClient connect(String room, String query) {
        ChatClient client = ChatClient.connect(chat(room, query));
        opened.add(client);
        return client;
    }

    /** A JDK client whose connection the test can cut without a close frame ({@code abort()}). */
    protected WebSocket connectRaw(String room, String name) {
        WebSocket socket = HTTP.newWebSocketBuilder()
                .buildAsync(chat(room, "name=" + name), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        webSocket.request(1);
                        return null;
                    }
                })
                .join();
        opened.add(socket::abort);
        return socket;
    }

    /** A client that joins and then never reads; closed after the test like the others. */
    protected StalledClient connectStalled(String room, String name) throws IOException {
        StalledClient client = StalledClient.connect(chat(room, "name=" + name));
        opened.add(client);
        return client;
    }

    /** {@code GET /chorus/api/stats}. */
    protected JsonObject stats() {
        try (JsonReader reader = Json.createReader(new StringReader(get("api/stats").body()))) {
            return reader.readObject();
        }
    }

    /** {@code GET /chorus/metrics}, as sample name (with labels) to value. */
    protected Map<String, Long> metrics() {
        HttpResponse<String> response = get("metrics");
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain")) {
            throw new AssertionError("metrics are not text/plain: " + response.headers());
        }
        Map<String, Long> samples = new HashMap<>();
        Matcher matcher = METRIC_SAMPLE.matcher(response.body());
        while (matcher.find()) {
            samples.put(matcher.group(1), Long.parseLong(matcher.group(2)));
        }
        return samples;
    }

    /** A GET under the deployment that must answer 200. */
    protected HttpResponse<String> get(String relative) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(address("http", relative)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError(relative + " answered " + response.statusCode() + ": " + response.body());
            }
            return response;
        } catch (IOException e) {
            throw new AssertionError(relative + " unavailable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(relative + " interrupted", e);
        }
    }

    /** {@code POST /chorus/api/rooms/{room}/members/{member}/reconnect}; returns the HTTP status. */
    protected int askToReconnect(String room, String member) throws Exception {
        URI uri = address("http", "api/rooms/" + room + "/members/"
                + URLEncoder.encode(member, StandardCharsets.UTF_8).replace("+", "%20") + "/reconnect");
        return HTTP.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * Waits until the server counts exactly this many members; if it never does, fails with the
     * server's counts and why it closed connections, so that a failure on CI can be diagnosed.
     */
    protected void awaitMembers(int members) {
        try {
            await().atMost(ChatClient.TIMEOUT).until(() -> stats().getInt("members") == members);
        } catch (ConditionTimeoutException e) {
            Map<String, Long> drops = new TreeMap<>(metrics());
            drops.keySet().removeIf(name -> !name.contains("closes") && !name.contains("drops"));
            throw new AssertionError("expected " + members + " members, the server has " + stats() + "; " + drops, e);
        }
    }

    @AfterEach
    void closeClientsAndCheckNothingLeaks() throws Exception {
        for (AutoCloseable client : opened) {
            client.close();
        }
        opened.clear();
        try {
            await().atMost(ChatClient.TIMEOUT).until(() -> {
                JsonObject stats = stats();
                return stats.getInt("members") == 0 && stats.getInt("rooms") == 0;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the registry kept connections after every client closed: " + stats(), e);
        }
    }
}
