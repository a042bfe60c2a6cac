package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.SignIn;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.CloseReason;
import java.io.StringReader;
import java.net.URI;
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
 * Chorus behind a security constraint, with {@code chorus.auth.required=true}: the signed-in
 * user is the identity, and nobody else gets in (see {@link DeployedChorus#builtWarRequiringSignIn}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SignInIT {

    @ArquillianResource
    private URL deployedAt;

    private final List<ChatClient> opened = new CopyOnWriteArrayList<>();

    @Deployment(testable = false)
    static WebArchive requiringSignIn() {
        return DeployedChorus.builtWarRequiringSignIn("chorus.war");
    }

    @AfterEach
    void closeClients() {
        opened.forEach(ChatClient::close);
    }

    private ChatClient signIn(String user, String room, String query) throws Exception {
        ChatClient client = ChatClient.connectAs(user, SignIn.USERS.get(user), chorus().chat(room, query));
        opened.add(client);
        return client;
    }

    private ChorusInstance chorus() {
        return ChorusInstance.at(deployedAt);
    }

    @Test
    void theContainerRefusesAHandshakeWithoutValidCredentials() {
        URI lobby = chorus().chat("lobby", "name=mallory");

        assertEquals(401, ChatClient.handshakeStatus(lobby));
        assertEquals(401, ChatClient.handshakeStatus(lobby, "Authorization", ChatClient.basic("alice", "guess")));
        assertEquals(101, ChatClient.handshakeStatus(lobby, "Authorization",
                ChatClient.basic("alice", SignIn.USERS.get("alice"))));
    }

    @Test
    void aSignedInUserChatsUnderTheNameItSignedInWithWhateverNameItAsksFor() throws Exception {
        ChatClient alice = signIn("alice", "lobby", "name=mallory");
        assertEquals("alice", alice.next("welcome").getString("you"));
        ChatClient bob = signIn("bob", "lobby", "");
        assertEquals("bob", bob.next("welcome").getString("you"));

        alice.send("signed, alice");

        JsonObject message = bob.next("message");
        assertEquals("alice", message.getString("from"));
        assertEquals("signed, alice", message.getString("text"));
    }

    @Test
    void whereTheContainerLetsAnAnonymousClientThroughChorusRefusesItWith1008() throws Exception {
        ChatClient anonymous = ChatClient.connect(chorus().chat(DeployedChorus.OPEN_ROOM, "name=mallory"));
        opened.add(anonymous);

        JsonObject error = anonymous.next("error");
        assertEquals("invalid-join", error.getString("code"));
        assertEquals(JoinRequest.SIGN_IN_RULE, error.getString("reason"));
        CloseReason closed = anonymous.closeReason();
        assertEquals(CloseCodes.VIOLATED_POLICY, closed.getCloseCode());

        ChatClient alice = signIn("alice", DeployedChorus.OPEN_ROOM, "");
        assertEquals("alice", alice.next("welcome").getString("you"));
    }

    @Test
    void theMemberListIsForSignedInUsersOnlyWhereTheRoomsAre() throws Exception {
        ChatClient alice = signIn("alice", "listed", "");
        alice.next("welcome");
        URI members = chorus().address("http", "api/rooms/listed/members");

        HttpResponse<String> anonymous = chorus().send(HttpRequest.newBuilder(members).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> signedIn = chorus().send(HttpRequest.newBuilder(members)
                .header("Authorization", ChatClient.basic("bob", SignIn.USERS.get("bob"))).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(401, anonymous.statusCode(), "anyone could read who is in a room they may not join");
        assertEquals(200, signedIn.statusCode(), signedIn.body());
        assertEquals(List.of("alice"), strings(signedIn.body()));
    }

    private static List<String> strings(String membersJson) {
        return Json.createReader(new StringReader(membersJson)).readObject().getJsonArray("members")
                .getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }
}
