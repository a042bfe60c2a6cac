package dev.chorus.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.StalledClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that drop their connection right after the handshake, while the server is still
 * welcoming them, must be released because they closed, not later by the silence sweep: until
 * then they are ghosts in their room's presence and count against the caps.
 */
class VanishingClientsIT extends DeployedChorus {

    /** Under the test's connection cap (60) with alice, per round. */
    private static final int VANISHING = 50;
    private static final int ROUNDS = 3;
    private static final String SILENT_DROPS = "chorus_silent_drops_total";

    @Test
    void clientsThatVanishAtTheWelcomeAreReleasedByTheirCloseNotByTheSilenceSweep() throws Exception {
        ChatClient alice = join("ghosts", "alice");
        // A history makes every welcome a long send: the window in which a client can vanish.
        for (int i = 0; i < 100; i++) {
            alice.send("history " + i);
            alice.next("ack");
        }
        long silentBefore = metrics().getOrDefault(SILENT_DROPS, 0L);

        ExecutorService crowd = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                // Each one resets its connection the moment it reads the 101, while the server is
                // still setting the connection up and sending the welcome; several at once.
                List<Future<?>> vanished = new ArrayList<>();
                for (int i = 0; i < VANISHING; i++) {
                    String name = "ghost" + round + "-" + i;
                    vanished.add(crowd.submit(() -> {
                        StalledClient.connect(chat("ghosts", "name=" + name)).vanish();
                        return null;
                    }));
                }
                for (Future<?> client : vanished) {
                    client.get(ChatClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
                awaitMembers(1);
            }
        } finally {
            crowd.shutdownNow();
        }

        awaitMembers(1);
        Map<String, Long> metrics = metrics();
        assertEquals(silentBefore, metrics.getOrDefault(SILENT_DROPS, 0L),
                "every vanished client was released by its close, none by the silence sweep: " + metrics);
        alice.send("still here");
        assertEquals("ack", alice.next("ack").getString("type"));
    }
}
