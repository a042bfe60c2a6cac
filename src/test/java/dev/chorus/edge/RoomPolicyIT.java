package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.StaffOnlyPolicy;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/** A room policy the application added to the WAR refuses joins and vetoes messages, ids staying contiguous. */
class RoomPolicyIT extends DeployedChorus {

    @Deployment(testable = false)
    static WebArchive withPolicy() {
        return builtWarConfigured("chorus.war").addClass(StaffOnlyPolicy.class);
    }

    @Test
    void theApplicationsPolicyRefusesAJoinWithForbiddenAnd1008() {
        ChatClient mallory = connect("staff", "name=mallory");

        JsonObject error = mallory.next("error");
        assertEquals("forbidden", error.getString("code"));
        assertEquals("staff only", error.getString("reason"));
        CloseReason closed = mallory.closeReason();
        assertEquals(CloseReason.CloseCodes.VIOLATED_POLICY.getCode(), closed.getCloseCode().getCode());
        join("staff", "staff-ann");
    }

    @Test
    void aVetoedMessageIsRejectedAndSpendsNoId() {
        ChatClient alice = join("lobby", "alice");
        ChatClient bob = join("lobby", "bob");

        alice.send("cheap spam");
        alice.send("hello");

        assertEquals("rejected", alice.next("error").getString("code"));
        JsonObject message = bob.next("message");
        assertEquals("hello", message.getString("text"));
        assertEquals(1, message.getInt("id"), "the vetoed message took no id");
    }
}
