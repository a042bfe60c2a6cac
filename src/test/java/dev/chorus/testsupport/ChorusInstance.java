package dev.chorus.testsupport;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One deployed Chorus, always reached on loopback: its addresses and what its REST resources
 * answer. Payara Micro reports its first non-loopback interface to Arquillian; tests must only
 * ever talk to loopback, so this keeps the port and path it is given but targets 127.0.0.1.
 */
public final class ChorusInstance {

    /** The one JDK client every test shares: each one starts a selector thread of its own. */
    static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern METRIC_SAMPLE = Pattern.compile("^([a-z_]+(?:\\{[^}]*})?) (\\d+)$", Pattern.MULTILINE);

    private final int port;
    private final String path;

    private ChorusInstance(int port, String path) {
        this.port = port;
        this.path = path;
    }

    /** The deployment Arquillian reports at this URL. */
    public static ChorusInstance at(URL deployedAt) {
        return new ChorusInstance(deployedAt.getPort(), deployedAt.getPath());
    }

    /**
     * A deployment the test started itself (a {@link PayaraNode}), which no container reports: its
     * loopback port and context path, with both slashes as {@link #at} keeps it, e.g. {@code /chorus/}.
     */
    public static ChorusInstance on(int port, String contextPath) {
        return new ChorusInstance(port, contextPath);
    }

    /** A path under the deployment, e.g. {@code api/stats}, on loopback. */
    public URI address(String scheme, String relative) {
        return URI.create(scheme + "://127.0.0.1:" + port + path + relative);
    }

    /** The chat endpoint's address for a room, with the query (e.g. {@code name=alice}) as given. */
    public URI chat(String room, String query) {
        return address("ws", "chat/" + room + (query.isEmpty() ? "" : "?" + query));
    }

    /** {@code GET api/stats}. */
    public JsonObject stats() {
        try (JsonReader reader = Json.createReader(new StringReader(get("api/stats").body()))) {
            return reader.readObject();
        }
    }

    /** {@code GET metrics}, as sample name (with labels) to value. */
    public Map<String, Long> metrics() {
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
    public HttpResponse<String> get(String relative) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(address("http", relative)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(relative + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    /**
     * A POST of this JSON under the deployment, with these headers (name, value, name, value, …);
     * the response, whatever its status.
     */
    public HttpResponse<String> post(String relative, String json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(address("http", relative))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a request under this deployment and returns the response, whatever its status. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return HTTP.send(request, body);
        } catch (IOException e) {
            throw new AssertionError(request.uri() + " unavailable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(request.uri() + " interrupted", e);
        }
    }
}
