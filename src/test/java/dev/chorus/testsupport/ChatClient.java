package dev.chorus.testsupport;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.spi.JsonProvider;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;

/** A WebSocket client on Tyrus that queues what it receives, for tests to take with a timeout. */
public final class ChatClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final ClientManager TYRUS = sharedClient();
    private static final JsonProvider JSON = JsonProvider.provider();

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private final Session session;

    private ChatClient(URI uri, ClientEndpointConfig config) throws IOException, DeploymentException {
        this.session = TYRUS.connectToServer(new Listener(), config, uri);
    }

    public static ChatClient connect(URI uri) {
        try {
            return new ChatClient(uri, ClientEndpointConfig.Builder.create().build());
        } catch (IOException | DeploymentException e) {
            throw new IllegalStateException("cannot connect to " + uri, e);
        }
    }

    /** Connects as a page from this origin would; a refused handshake throws DeploymentException. */
    public static ChatClient connectFrom(String origin, URI uri) throws IOException, DeploymentException {
        return connectWith("Origin", origin, uri);
    }

    /** Connects signed in with HTTP Basic; a refused handshake throws DeploymentException. */
    public static ChatClient connectAs(String user, String password, URI uri) throws IOException, DeploymentException {
        return connectWith("Authorization", basic(user, password), uri);
    }

    /** Connects with one extra handshake header; a refused handshake throws DeploymentException. */
    public static ChatClient connectWith(String header, String value, URI uri) throws IOException, DeploymentException {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        headers.put(header, List.of(value));
                    }
                })
                .build();
        return new ChatClient(uri, config);
    }

    /**
     * The HTTP status a handshake with these extra headers (name, value, …) gets: 101 if the
     * server upgrades it (the connection is then closed again), else the refusal's status. The
     * JDK's client, because Tyrus' answers a 401 by trying to sign in itself and reports only
     * that it failed.
     */
    public static int handshakeStatus(URI uri, String... headers) {
        WebSocket.Builder handshake = ChorusInstance.HTTP.newWebSocketBuilder();
        for (int i = 0; i < headers.length; i += 2) {
            handshake.header(headers[i], headers[i + 1]);
        }
        try {
            handshake.buildAsync(uri, new WebSocket.Listener() { }).join().abort();
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("handshake with " + uri + " failed", e);
        }
    }

    /** An HTTP Basic {@code Authorization} header value. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static ClientManager sharedClient() {
        ClientManager client = ClientManager.createClient();
        // One Grizzly transport for all test clients rather than a thread pool per connection.
        client.getProperties().put(ClientProperties.SHARED_CONTAINER, true);
        return client;
    }

    /** Sends one text frame and waits until it is written. */
    public void send(String text) {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IOException e) {
            throw new IllegalStateException("send failed", e);
        }
    }

    /** Sends one binary frame and waits until it is written. */
    public void sendBinary(byte[] data) {
        try {
            session.getBasicRemote().sendBinary(ByteBuffer.wrap(data));
        } catch (IOException e) {
            throw new IllegalStateException("send failed", e);
        }
    }

    /** The next server event, waiting up to {@link #TIMEOUT}. */
    public JsonObject nextEvent() {
        try (JsonReader reader = JSON.createReader(new StringReader(nextFrame()))) {
            return reader.readObject();
        }
    }

    /** The next event of this type, passing over events of other types. */
    public JsonObject next(String type) {
        while (true) {
            JsonObject event = nextEvent();
            if (event.getString("type").equals(type)) {
                return event;
            }
        }
    }

    /** The text of the next message event. */
    public String nextText() {
        return next("message").getString("text");
    }

    /** The texts of the next {@code count} message events, in the order received. */
    public List<String> nextTexts(int count) {
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            texts.add(nextText());
        }
        return texts;
    }

    /** The next text frame received, as it came (for an endpoint that is not Chorus'), waiting up to {@link #TIMEOUT}. */
    public String nextFrame() {
        try {
            String text = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (text == null) {
                throw new AssertionError("no message within " + TIMEOUT);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a message", e);
        }
    }

    /** How the server closed this connection, waiting up to {@link #TIMEOUT}. */
    public CloseReason closeReason() {
        return closed.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() {
        try {
            if (session.isOpen()) {
                session.close();
            }
        } catch (IOException e) {
            throw new IllegalStateException("close failed", e);
        }
    }

    private final class Listener extends Endpoint {

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) received::add);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed.complete(reason);
        }
    }
}
