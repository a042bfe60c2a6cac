package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.PublishingServlet;
import dev.chorus.testsupport.SignIn;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The application publishes into rooms: over HTTP with the token or the role, and from a bean of
 * its own added to the WAR; members get each message with the id the publisher was told.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RoomMessagesIT {

    private static final String TOKEN = "it-token-7f3a";

    @ArquillianResource
    private URL deployedAt;

    private final List<ChatClient> opened = new CopyOnWriteArrayList<>();

    @Deployment(testable = false)
    static WebArchive withTokenAndSignIn() {
        return DeployedChorus.builtWarRequiringSignIn("chorus.war", "chorus.api.token=" + TOKEN)
                .addClass(PublishingServlet.class);
    }

    @AfterEach
    void closeClients() {
        opened.forEach(ChatClient::close);
    }

    @Test
    void aBackendWithTheTokenPublishesAndMembersGetTheIdItWasGiven() throws Exception {
        ChatClient bob = member("news");

        HttpResponse<String> created = post("news", "{\"text\": \"deploy done\", \"from\": \"CI bot\"}",
                "Authorization", "Bearer " + TOKEN);

        assertEquals(201, created.statusCode(), created.body());
        JsonObject published = json(created.body());
        JsonObject message = bob.next("message");
        assertEquals(published.getJsonNumber("id").longValue(), message.getJsonNumber("id").longValue());
        assertEquals("server", message.getString("origin"));
        assertEquals("CI bot", message.getString("from"));
        assertEquals("deploy done", message.getString("text"));

        HttpResponse<String> history = send(HttpRequest.newBuilder(chorus().address("http", "api/rooms/news/messages?since=0"))
                .header("Authorization", "Bearer " + TOKEN).GET().build());
        assertEquals(200, history.statusCode(), history.body());
        JsonObject page = json(history.body());
        assertEquals(published.getString("epoch"), page.getString("epoch"));
        assertEquals("deploy done", page.getJsonArray("messages").getJsonObject(0).getString("text"));
    }

    @Test
    void aSignedInUserWithThePublisherRolePublishesAndOneWithoutIsForbidden() throws Exception {
        ChatClient bob = member("desk");
        String body = "{\"text\": \"hello from alice's backend\"}";

        HttpResponse<String> byAlice = post("desk", body, "Authorization", ChatClient.basic("alice", SignIn.USERS.get("alice")));
        assertEquals(201, byAlice.statusCode(), byAlice.body());
        assertEquals(json(byAlice.body()).getJsonNumber("id").longValue(), bob.next("message").getJsonNumber("id").longValue());

        HttpResponse<String> byBob = post("desk", body, "Authorization", ChatClient.basic("bob", SignIn.USERS.get("bob")));
        assertEquals(403, byBob.statusCode(), "signed in, but without the role " + ApiAccess.ROLE);
    }

    @Test
    void everyRefusalHasItsStatusAndSpendsNoId() throws Exception {
        String hello = "{\"text\": \"hi\"}";
        String bearer = "Bearer " + TOKEN;
        assertEquals(401, post("refused", hello).statusCode(), "anonymous");
        assertTrue(post("refused", hello).headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertEquals(401, post("refused", hello, "Authorization", "Bearer not-" + TOKEN).statusCode(), "wrong token");
        assertEquals(400, post("bad%20room", hello, "Authorization", bearer).statusCode(), "room name");
        assertEquals(400, post("refused", "{\"text\": \"  \"}", "Authorization", bearer).statusCode(), "blank");
        assertEquals(400, post("refused", "not json", "Authorization", bearer).statusCode(), "body");
        String tooLarge = "{\"text\": \"" + "x".repeat(70_000) + "\"}";
        assertEquals(413, post("refused", tooLarge, "Authorization", bearer).statusCode(), "over max-bytes");

        HttpResponse<String> first = post("refused", hello, "Authorization", bearer);
        assertEquals(1, json(first.body()).getInt("id"), "nothing refused took an id");
    }

    @Test
    void aBeanOfTheApplicationPublishesThroughTheInjectedBean() throws Exception {
        ChatClient bob = member("ops");

        HttpResponse<String> answer = send(HttpRequest.newBuilder(chorus().address("http", "test/publish?room=ops&text=restarted"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());

        assertEquals(200, answer.statusCode(), answer.body());
        JsonObject message = bob.next("message");
        assertEquals(Long.parseLong(answer.body()), message.getJsonNumber("id").longValue());
        assertEquals("backend", message.getString("from"));
        assertEquals("server", message.getString("origin"));
    }

    @Test
    void aNoticeReachesEveryConnectionOfOneUserAndADisconnectClosesThemWith4000() throws Exception {
        ChatClient inDesk = member("user-desk");
        ChatClient inNews = member("user-news");
        String bearer = "Bearer " + TOKEN;

        HttpResponse<String> notice = postTo("api/users/bob/notices", "{\"text\": \"your order shipped\", \"from\": \"shop\"}",
                "Authorization", bearer);
        assertEquals(200, notice.statusCode(), notice.body());
        assertEquals(2, json(notice.body()).getInt("connections"));
        for (ChatClient bob : List.of(inDesk, inNews)) {
            JsonObject event = bob.next("notice");
            assertEquals("your order shipped", event.getString("text"));
            assertEquals("shop", event.getString("from"));
            assertEquals("server", event.getString("origin"));
        }
        assertEquals(404, postTo("api/users/nobody/notices", "{\"text\": \"hi\"}", "Authorization", bearer).statusCode());
        assertEquals(401, postTo("api/users/bob/disconnect", "").statusCode(), "anonymous");
        assertEquals(403, postTo("api/users/bob/disconnect", "", "Authorization",
                ChatClient.basic("bob", SignIn.USERS.get("bob"))).statusCode(), "without the role");

        HttpResponse<String> disconnect = postTo("api/users/bob/disconnect", "{\"reason\": \"signed out everywhere\"}",
                "Authorization", bearer);
        assertEquals(200, disconnect.statusCode(), disconnect.body());
        for (ChatClient bob : List.of(inDesk, inNews)) {
            assertEquals(4000, bob.closeReason().getCloseCode().getCode());
            assertEquals("signed out everywhere", bob.closeReason().getReasonPhrase());
        }
        assertEquals(404, postTo("api/users/bob/disconnect", "", "Authorization", bearer).statusCode(), "nothing left");
    }

    /** Bob, signed in (the deployment requires it), in the room. */
    private ChatClient member(String room) throws Exception {
        ChatClient bob = ChatClient.connectAs("bob", SignIn.USERS.get("bob"), chorus().chat(room, ""));
        opened.add(bob);
        bob.next("welcome");
        return bob;
    }

    private HttpResponse<String> post(String room, String body, String... headers) {
        return postTo("api/rooms/" + room + "/messages", body, headers);
    }

    private HttpResponse<String> postTo(String path, String body, String... headers) {
        return chorus().post(path, body, headers);
    }

    private HttpResponse<String> send(HttpRequest request) {
        return chorus().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private ChorusInstance chorus() {
        return ChorusInstance.at(deployedAt);
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }
}
