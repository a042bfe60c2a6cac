package dev.chorus.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.StalledClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The build sets a 1 s heartbeat and a 4 s silence limit for the servers under test (see the
 * pom): a client that answers pings stays, one whose network vanished is dropped.
 */
class HeartbeatIT extends DeployedChorus {

    @Test
    void aClientThatStopsAnsweringIsDroppedWhileAnIdleButLiveOneStays() throws Exception {
        ChatClient idle = join("heartbeat", "idle");
        long dropsBefore = metrics().get("chorus_silent_drops_total");
        connectStalled("heartbeat", "vanished");
        awaitMembers(2);
        long joinedAt = System.nanoTime();

        // Neither client sends anything from here on: only the pongs tell them apart.
        assertEquals("vanished", idle.next("leave").getString("member"));
        long silentFor = (System.nanoTime() - joinedAt) / 1_000_000;

        assertTrue(silentFor >= 3_000 && silentFor < 4_000 + 2 * 1_000 + 2_000, "dropped after " + silentFor + " ms");
        assertTrue(idle.isOpen(), "an idle client that answers pings must stay");
        assertEquals(1, stats().getInt("members"));
        assertEquals(dropsBefore + 1, metrics().get("chorus_silent_drops_total"));
    }

    /**
     * Clients that join and drop their TCP connection at the welcome (half with a reset, half
     * after reading it, with a FIN) leave the room within two seconds: well before the silence rule
     * (4 s here) would catch them, so presence and the counts never show ghosts for long.
     */
    @Test
    void membersWhoseConnectionDropsAtTheWelcomeLeaveWithinTwoSeconds() throws Exception {
        ChatClient observer = join("ghosts", "observer");
        List<StalledClient> ghosts = new ArrayList<>();
        for (int i = 0; i < GHOSTS; i++) {
            ghosts.add(connectStalled("ghosts", "ghost" + i));
        }
        awaitMembers(GHOSTS + 1);

        long droppedAt = System.nanoTime();
        for (int i = 0; i < GHOSTS; i++) {
            if (i % 2 == 1) {
                ghosts.get(i).closeCodeSoFar();
            }
            ghosts.get(i).close();
        }
        for (int i = 0; i < GHOSTS; i++) {
            observer.next("leave");
        }
        long goneAfter = (System.nanoTime() - droppedAt) / 1_000_000;

        assertTrue(goneAfter < 2_000, "the last ghost left after " + goneAfter + " ms");
        assertEquals(1, stats().getInt("members"));
    }

    /**
     * Clients whose connection drops right after they send the handshake, before the server's
     * answer: any the server seated anyway are gone within two seconds, not at the silence rule.
     */
    @Test
    void clientsThatVanishDuringTheHandshakeAreNotLeftAsMembers() throws Exception {
        join("ghosts", "observer");
        for (int i = 0; i < GHOSTS; i++) {
            StalledClient.handshakeAndVanish(chat("ghosts", "name=vanished" + i));
        }

        await().pollDelay(Duration.ofMillis(1_500)).atMost(Duration.ofMillis(2_500))
                .until(() -> stats().getInt("members") == 1);
    }

    /** Within the build's cap of 60 connections (see the pom), beside the other test's clients. */
    private static final int GHOSTS = 40;
}
