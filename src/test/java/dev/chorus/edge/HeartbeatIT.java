package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
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
}
