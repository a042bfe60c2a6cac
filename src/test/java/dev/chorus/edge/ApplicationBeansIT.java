package dev.chorus.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusClients;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.ObservedServlet;
import dev.chorus.testsupport.SlowObserver;
import dev.chorus.testsupport.StaffOnlyPolicy;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Beans the application added to the WAR: a room policy that refuses joins and vetoes messages
 * (ids staying contiguous), and an observer of room events that is slow without slowing anyone.
 */
class ApplicationBeansIT extends ChorusClients {

    @Deployment(testable = false)
    static WebArchive withPolicy() {
        return DeployedChorus.builtWarConfigured("chorus.war").addClasses(StaffOnlyPolicy.class, SlowObserver.class, ObservedServlet.class);
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

    @Test
    void anObserverThatTakesTwoSecondsDelaysNoMemberAndSeesEveryMessage() {
        ChatClient alice = join("observed", "alice");
        ChatClient bob = join("observed", "bob");

        long started = System.nanoTime();
        alice.send("one");
        alice.send("two");
        assertEquals("one", bob.nextText());
        assertEquals("two", bob.nextText());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < 1_500, "members waited " + tookMillis + " ms for a 2 s observer");

        await().atMost(Duration.ofSeconds(15)).until(() -> List.of(chorus().get("test/observed").body().split(","))
                .containsAll(List.of("observed:1", "observed:2")));
    }
}
