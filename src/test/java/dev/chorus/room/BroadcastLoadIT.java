package dev.chorus.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.DeployedChorus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many clients talking at once: every message reaches every other client, in each sender's order. */
class BroadcastLoadIT extends DeployedChorus {

    private static final int CLIENTS = 50;
    private static final int MESSAGES_EACH = 20;

    @Test
    void everyMessageReachesEveryOtherClientInSenderOrder() throws Exception {
        List<ChatClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(join("crowd", "c" + i));
        }
        awaitMembers(CLIENTS);

        ExecutorService senders = Executors.newFixedThreadPool(10);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                ChatClient client = clients.get(i);
                String sender = "c" + i;
                sent.add(senders.submit(() -> {
                    for (int seq = 0; seq < MESSAGES_EACH; seq++) {
                        client.send(sender + ":" + seq);
                    }
                }));
            }
            for (Future<?> future : sent) {
                future.get(ChatClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }

        for (int i = 0; i < CLIENTS; i++) {
            Map<String, Integer> nextSeqBySender = new HashMap<>();
            for (String text : clients.get(i).nextTexts((CLIENTS - 1) * MESSAGES_EACH)) {
                String sender = text.substring(0, text.indexOf(':'));
                int seq = Integer.parseInt(text.substring(text.indexOf(':') + 1));
                assertEquals(nextSeqBySender.getOrDefault(sender, 0), seq, "client c" + i + ", from " + sender);
                nextSeqBySender.put(sender, seq + 1);
            }
            assertEquals(CLIENTS - 1, nextSeqBySender.size(), "client c" + i + " heard from everyone else");
            assertEquals(null, nextSeqBySender.get("c" + i), "client c" + i + " got its own messages back");
        }
    }
}
