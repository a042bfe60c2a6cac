package dev.chorus.testsupport;

import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of every integration test that talks to a deployed Chorus: opens clients against the
 * deployment Arquillian made (each subclass says which, with its {@code @Deployment}) and, after
 * each test, closes them and waits until the server's registry is empty again, so every test also
 * checks that nothing leaks.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
public abstract class ChorusClients {

    /** Where the container says the deployment is; {@link ChorusInstance} keeps to loopback. */
    @ArquillianResource
    private URL deployedAt;

    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    /** The deployment under test, on loopback. */
    protected ChorusInstance chorus() {
        return ChorusInstance.at(deployedAt);
    }

    /** A path under the deployment, e.g. {@code api/stats}, on loopback. */
    protected URI address(String scheme, String relative) {
        return chorus().address(scheme, relative);
    }

    /** The chat endpoint's address for a room, with the query (e.g. {@code name=alice}) as given. */
    protected URI chat(String room, String query) {
        return chorus().chat(room, query);
    }

    /** Closes what a test class started beside the server (nodes, Redis), skipping what it never started. */
    protected static void stopAll(AutoCloseable... started) throws Exception {
        for (AutoCloseable each : started) {
            if (each != null) {
                each.close();
            }
        }
    }

    /** Joins the room under the name, and waits for the welcome. */
    protected ChatClient join(String room, String name) {
        ChatClient client = connect(room, "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        client.next("welcome");
        return client;
    }

    /** Opens a connection with exactly this query, and leaves reading it to the test. */
    protected ChatClient connect(String room, String query) {
        return connectTo(chorus(), room, query);
    }

    /** Opens a connection to another node (of a cluster), closed after the test like the others. */
    protected ChatClient connectTo(ChorusInstance node, String room, String query) {
        ChatClient client = ChatClient.connect(node.chat(room, query));
        opened.add(client);
        return client;
    }

    /** A JDK client whose connection the test can cut without a close frame ({@code abort()}). */
    protected WebSocket connectRaw(String room, String name) {
        WebSocket socket = ChorusInstance.HTTP.newWebSocketBuilder()
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

    protected JsonObject stats() {
        return chorus().stats();
    }

    protected Map<String, Long> metrics() {
        return chorus().metrics();
    }

    protected HttpResponse<String> get(String relative) {
        return chorus().get(relative);
    }

    /** {@code POST /chorus/api/rooms/{room}/members/{member}/reconnect}; returns the HTTP status. */
    protected int askToReconnect(String room, String member) throws Exception {
        URI uri = address("http", "api/rooms/" + room + "/members/"
                + URLEncoder.encode(member, StandardCharsets.UTF_8).replace("+", "%20") + "/reconnect");
        return chorus().send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
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
