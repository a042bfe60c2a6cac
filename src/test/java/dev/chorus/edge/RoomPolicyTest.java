package dev.chorus.edge;

import static dev.chorus.testsupport.ChatFixture.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.api.Policies;
import dev.chorus.api.RoomPolicy;
import dev.chorus.config.ChatSettings;
import dev.chorus.room.Member;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.FakeSession;
import dev.chorus.testsupport.StaffOnlyPolicy;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason.CloseCodes;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The application's room policy, asked at every join and before a message is numbered. */
class RoomPolicyTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    /** Only staff in "staff"; no message that says "spam": the policy the ITs deploy too. */
    private final Connections connections = chat.connections(new Policies(new StaffOnlyPolicy()));

    @Test
    void aRefusedJoinGetsForbiddenAndCloses1008WhileOthersJoin() {
        FakeSession mallory = new FakeSession(Map.of("name", List.of("mallory")));
        FakeSession staff = new FakeSession(Map.of("name", List.of("staff-ann")));

        connections.open("staff", mallory.session());
        connections.open("staff", staff.session());

        JsonObject error = event(mallory.sent().get(0));
        assertEquals("forbidden", error.getString("code"));
        assertEquals("staff only", error.getString("reason"));
        assertEquals(CloseCodes.VIOLATED_POLICY, mallory.closedWith().getCloseCode());
        assertEquals("forbidden: staff only", mallory.closedWith().getReasonPhrase());
        assertNull(staff.closedWith());
        assertEquals(1, chat.rooms.members());
        assertEquals(1, chat.metrics.refusedJoins());
    }

    @Test
    void aVetoedMessageGetsRejectedSpendsNoIdAndTheConnectionStays() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member fromAlice = chat.join("lobby", alice);
        chat.join("lobby", bob);

        connections.say(fromAlice, "buy spam now");
        connections.say(fromAlice, "hello");

        assertEquals("rejected", only(alice, "error").getString("code"));
        assertEquals("no spam here", only(alice, "error").getString("reason"));
        assertEquals(List.of("hello"), bob.texts());
        assertEquals(1, only(bob, "message").getInt("id"), "the vetoed message took no id");
        assertTrue(alice.closedWith() == null, "the connection stays open");
        assertEquals(0, alice.violations() + bob.violations());
    }

    @Test
    void aPolicyThatThrowsRefuses() {
        Connections failing = chat.connections(new Policies(new RoomPolicy() {
            @Override
            public Verdict mayJoin(String room, String user) {
                throw new IllegalStateException("the directory is down");
            }
        }));
        FakeSession alice = new FakeSession(Map.of("name", List.of("alice")));

        failing.open("lobby", alice.session());

        assertEquals(CloseCodes.VIOLATED_POLICY, alice.closedWith().getCloseCode());
        assertEquals(0, chat.rooms.members(), "fail closed");
    }

    private static JsonObject event(String frame) {
        return Json.createReader(new StringReader(frame)).readObject();
    }
}
