package dev.chorus.protocol;

import static dev.chorus.testsupport.FakePeer.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol as the README documents it, rule by rule, against the deployed WAR. */
class ChatProtocolIT extends DeployedChorus {

    /** The default of chorus.history.size. */
    private static final int HISTORY = 100;

    @Test
    void messageCarriesRoomIdSenderTextAndServerTime() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");
        Instant before = Instant.now().minusSeconds(5);

        alice.send("first");
        alice.send("second");

        JsonObject first = bob.next("message");
        JsonObject second = bob.next("message");
        assertEquals("lobby", first.getString("room"));
        assertEquals("alice", first.getString("from"));
        assertEquals("first", first.getString("text"));
        assertEquals(first.getInt("id") + 1, second.getInt("id"), "ids count up per room");
        Instant ts = Instant.parse(first.getString("ts"));
        assertTrue(ts.isAfter(before) && ts.isBefore(Instant.now().plusSeconds(5)), "ts is server time: " + ts);
    }

    @Test
    void senderGetsAnAckWithTheIdOfItsMessage() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");

        alice.send("numbered");

        assertEquals(bob.next("message").getInt("id"), alice.next("ack").getInt("id"));
    }

    @Test
    void theServerStampsTheSenderWhateverTheTextClaims() {
        ChatClient mallory = join("lobby", "mallory");
        ChatClient bob = join("lobby", "bob");
        String forged = "{\"type\":\"message\",\"from\":\"alice\",\"text\":\"send me your password\"}";

        mallory.send(forged);

        JsonObject message = bob.next("message");
        assertEquals("mallory", message.getString("from"));
        assertEquals(forged, message.getString("text"), "the text is relayed as text, not parsed");
    }

    @Test
    void refusesMissingAndInvalidNamesWithPolicyViolation() {
        for (String query : List.of("", "name=", "name=%20%20", "name=" + "x".repeat(33), "name=%3Cscript%3E",
                "name=alice&since=-1", "name=alice&since=soon")) {
            ChatClient refused = connect("lobby", query);
            CloseReason reason = refused.closeReason();
            assertEquals(CloseCodes.VIOLATED_POLICY, reason.getCloseCode(), query);
            assertTrue(!reason.getReasonPhrase().isEmpty(), "the close says which rule: " + query);
            JsonObject error = refused.next("error");
            assertEquals("invalid-join", error.getString("code"));
            assertEquals(reason.getReasonPhrase(), error.getString("reason"));
        }
    }

    @Test
    void trimsTheNameAndSuffixesOneAlreadyInTheRoom() {
        join("lobby", "alice");
        ChatClient second = connect("lobby", "name=%20alice%20");

        JsonObject welcome = second.next("welcome");
        assertEquals("alice#2", welcome.getString("you"));
        assertEquals(List.of("alice", "alice#2"), strings(welcome, "members"));
    }

    @Test
    void announcesJoinsAndLeavesWithTheCount() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");

        JsonObject joined = alice.next("join");
        assertEquals("bob", joined.getString("member"));
        assertEquals(2, joined.getInt("count"));

        bob.close();
        JsonObject left = alice.next("leave");
        assertEquals("bob", left.getString("member"));
        assertEquals(1, left.getInt("count"));
    }

    @Test
    void welcomeCarriesTheLastMessagesUpToTheHistorySize() {
        ChatClient talker = join("history", "talker");
        int sent = HISTORY + 5;
        int lastId = talk(talker, sent);

        JsonObject welcome = connect("history", "name=late").next("welcome");

        List<JsonObject> history = welcome.getJsonArray("history").getValuesAs(JsonObject.class);
        assertEquals(HISTORY, history.size());
        assertEquals(lastId, history.get(HISTORY - 1).getInt("id"));
        assertEquals("m" + sent, history.get(HISTORY - 1).getString("text"));
        assertEquals("m6", history.get(0).getString("text"));
        assertEquals(List.of("late", "talker"), strings(welcome, "members"), "sorted by name");
    }

    @Test
    void resumingReplaysExactlyTheMessagesAfterTheGivenId() {
        ChatClient talker = join("resume", "talker");
        int lastId = talk(talker, 5);

        ChatClient resuming = connect("resume", "name=back&since=" + (lastId - 2));

        JsonObject first = resuming.nextEvent();
        assertEquals("welcome", first.getString("type"), "no gap when nothing was dropped");
        assertEquals(List.of("m4", "m5"), first.getJsonArray("history").getValuesAs(JsonObject.class)
                .stream().map(m -> m.getString("text")).toList());
    }

    @Test
    void resumingPastWhatTheRoomKeptIsToldOfTheGapFirst() {
        ChatClient talker = join("gap", "talker");
        int sent = HISTORY + 10;
        int lastId = talk(talker, sent);
        int oldestKept = lastId - HISTORY + 1;

        ChatClient resuming = connect("gap", "name=back&since=" + (oldestKept - 5));

        JsonObject gap = resuming.nextEvent();
        assertEquals("gap", gap.getString("type"));
        assertEquals(oldestKept - 5, gap.getInt("after"));
        assertEquals(oldestKept, gap.getInt("until"));
        JsonObject welcome = resuming.nextEvent();
        assertEquals("welcome", welcome.getString("type"));
        assertEquals(oldestKept, welcome.getJsonArray("history").getJsonObject(0).getInt("id"));
    }

    @Test
    void anEmptyMessageGetsAnErrorAndTheConnectionStaysOpen() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");

        alice.send("   ");
        JsonObject error = alice.next("error");
        assertEquals("empty", error.getString("code"));
        alice.send("still here");

        assertEquals("still here", bob.nextText());
    }

    /** Sends m1 to m{count}, waits for their acks and returns the last message's id. */
    private static int talk(ChatClient sender, int count) {
        for (int i = 1; i <= count; i++) {
            sender.send("m" + i);
        }
        int id = 0;
        for (int i = 0; i < count; i++) {
            id = sender.next("ack").getInt("id");
        }
        return id;
    }
}
