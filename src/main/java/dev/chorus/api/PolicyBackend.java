package dev.chorus.api;

import dev.chorus.config.ChatConfiguration;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The room policy of a backend outside the JVM, asked over HTTP at {@code chorus.policy.url}: a
 * POST of JSON ({@code {"action":"join","room","user"}} or {@code {"action":"post","room","member","text"}},
 * signed as the webhook's are when {@code chorus.webhook.secret} is set), answered with 200 and
 * {@code {"allow": true}} or {@code {"allow": false, "reason": "..."}}. A backend that does not answer
 * so within {@code chorus.policy.timeout-ms} refuses, unless {@code chorus.policy.fail-open} allows:
 * the log says when it stops and starts answering again.
 */
public final class PolicyBackend implements RoomPolicy {

    private static final Logger LOG = Logger.getLogger(PolicyBackend.class.getName());

    private final URI url;
    private final ChatConfiguration.PolicyTarget target;
    private final byte[] secret;
    private final HttpClient client;
    private volatile boolean failing;

    public PolicyBackend(ChatConfiguration.PolicyTarget target, String secret) {
        this.url = URI.create(target.url().strip());
        this.target = target;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.client = HttpClient.newBuilder().connectTimeout(target.timeout()).build();
    }

    @Override
    public Verdict mayJoin(String room, String user) {
        return ask(Json.createObjectBuilder().add("action", "join").add("room", room).add("user", user));
    }

    @Override
    public Verdict mayPost(String room, String member, String text) {
        return ask(Json.createObjectBuilder().add("action", "post").add("room", room).add("member", member).add("text", text));
    }

    private Verdict ask(JsonObjectBuilder question) {
        String body = question.build().toString();
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(target.timeout())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret.length > 0) {
            request.header(Webhook.SIGNATURE, Webhook.signature(secret, body));
        }
        String failure;
        try {
            HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Verdict verdict = answer.statusCode() == 200 ? verdict(answer.body()) : null;
            if (verdict != null) {
                if (failing) {
                    failing = false;
                    LOG.info(() -> "The room policy at " + url + " answers again");
                }
                return verdict;
            }
            failure = "answered " + answer.statusCode() + " " + abbreviated(answer.body());
        } catch (IOException e) {
            failure = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        if (!failing) {
            failing = true;
            LOG.log(Level.WARNING, "The room policy at {0} did not answer ({1}); until it does, every join and message is {2}",
                    new Object[] {url, failure, target.failOpen() ? "allowed (chorus.policy.fail-open)" : "refused"});
        }
        return target.failOpen() ? Verdict.ALLOW : Verdict.refuse("the room policy could not decide");
    }

    /** The verdict the body holds, or null if it holds none. */
    static Verdict verdict(String body) {
        try (var reader = Json.createReader(new StringReader(body))) {
            JsonObject answer = reader.readObject();
            JsonValue allow = answer.get("allow");
            if (allow == JsonValue.TRUE) {
                return Verdict.ALLOW;
            }
            return allow == JsonValue.FALSE ? Verdict.refuse(answer.getString("reason", "refused by the room policy")) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String abbreviated(String body) {
        return body.length() <= 80 ? body : body.substring(0, 80) + "…";
    }
}
