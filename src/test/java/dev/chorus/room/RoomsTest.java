package dev.chorus.room;

import static dev.chorus.testsupport.ChatFixture.FRESH;
import static dev.chorus.testsupport.ChatFixture.only;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.cluster.SequenceChoice;
import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.weld.junit.MockBean;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rooms, numbering, history and eviction, on fake peers. */
class RoomsTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    @Nested
    @EnableWeld
    class AsABean {

        @WeldSetup
        WeldInitiator weld = WeldInitiator.from(Rooms.class, SequenceChoice.class, ChatMetrics.class, Clocks.Source.class)
                .addBeans(MockBean.of(ChatSettings.DEFAULTS, ChatSettings.class))
                .activate(ApplicationScoped.class)
                .build();

        @Inject
        Rooms bean;

        @Inject
        BeanManager beans;

        @Test
        void isOneSharedApplicationScopedBean() {
            var resolved = beans.resolve(beans.getBeans(Rooms.class));
            assertSame(ApplicationScoped.class, resolved.getScope());
            bean.join("lobby", "alice", FRESH, FakePeer.inline("alice"));
            assertEquals(1, weld.select(Rooms.class).get().members(), "every injection point shares one registry");
        }
    }

    @Test
    void stampsAndRelaysAMessageToEveryOtherMemberAndAcksTheSender() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        FakePeer carol = FakePeer.async("carol", chat.completions);
        Member fromAlice = chat.join("lobby", alice);
        chat.join("lobby", bob);
        chat.join("lobby", carol);

        chat.rooms.publish(fromAlice, "hello");

        JsonObject message = only(bob, "message");
        assertEquals("lobby", message.getString("room"));
        assertEquals(1, message.getInt("id"));
        assertEquals("alice", message.getString("from"));
        assertEquals("hello", message.getString("text"));
        assertEquals("2026-11-25T09:19:07.123Z", message.getString("ts"));
        await().atMost(Duration.ofSeconds(5)).until(() -> carol.events("message").size() == 1);
        // Welcomes 3, join events 1 + 2, then the message to 2 others and the ack.
        assertEquals(3 + 3 + 3, chat.metrics.deliveries());
        assertEquals(message, carol.events("message").get(0));
        assertTrue(alice.events("message").isEmpty(), "the sender got its own message back");
        assertEquals(1, only(alice, "ack").getInt("id"));
    }

    @Test
    void membersWhoseContainerWritesOnItsOwnThreadGetABroadcastThroughOneHandOverPerThread() throws Exception {
        ExecutorService writerThread = Executors.newSingleThreadExecutor(task -> new Thread(task, "container-writer"));
        AtomicInteger handOvers = new AtomicInteger();
        Executor writer = task -> {
            handOvers.incrementAndGet();
            writerThread.execute(task);
        };
        try {
            Member fromAlice = chat.join("lobby", FakePeer.inline("alice"));
            FakePeer plain = FakePeer.inline("plain");
            chat.join("lobby", plain);
            List<FakePeer> onWriter = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                onWriter.add(FakePeer.inline("w" + i).writingOn(writer));
                chat.join("lobby", onWriter.get(i));
            }
            int before = handOvers.get();

            for (int i = 1; i <= 20; i++) {
                chat.rooms.publish(fromAlice, "alice:" + i);
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> onWriter.stream().allMatch(peer -> peer.texts().size() == 20));
            assertEquals(20, handOvers.get() - before, "one hand-over per broadcast, not one per member");
            for (FakePeer peer : onWriter) {
                assertEquals(Set.of("container-writer"), peer.sendThreads(), peer + " was written from elsewhere");
                assertEquals(0, peer.violations(), peer + " saw messages out of order");
            }
            assertEquals(20, plain.texts().size(), "a member without such a thread is written at once, as before");
            assertFalse(plain.sendThreads().contains("container-writer"));
        } finally {
            writerThread.shutdownNow();
        }
    }

    @Test
    void senderCannotSpoofItsNameThroughTheText() {
        FakePeer bob = FakePeer.inline("bob");
        Member mallory = chat.join("lobby", FakePeer.inline("mallory"));
        chat.join("lobby", bob);
        String forged = "{\"type\":\"message\",\"from\":\"alice\",\"text\":\"hi\"}";

        chat.rooms.publish(mallory, forged);

        JsonObject message = only(bob, "message");
        assertEquals("mallory", message.getString("from"));
        assertEquals(forged, message.getString("text"));
    }

    @Test
    void keepsRoomsApartAndNumbersEachRoomOnItsOwn() {
        FakePeer inLobby = FakePeer.inline("lobby-member");
        FakePeer inKitchen = FakePeer.inline("kitchen-member");
        Member lobbySender = chat.join("lobby", FakePeer.inline("sender"));
        Member kitchenSender = chat.join("kitchen", FakePeer.inline("sender"));
        chat.join("lobby", inLobby);
        chat.join("kitchen", inKitchen);

        chat.rooms.publish(lobbySender, "one");
        chat.rooms.publish(lobbySender, "two");
        chat.rooms.publish(kitchenSender, "elsewhere");

        assertEquals(List.of("one", "two"), inLobby.texts());
        assertEquals(List.of("elsewhere"), inKitchen.texts());
        assertEquals(1, inKitchen.events("message").get(0).getInt("id"));
        assertEquals(2, chat.rooms.rooms());
    }

    @Test
    void sendsNothingToAMemberThatLeftAndForgetsEmptyRooms() {
        Member alice = chat.join("lobby", FakePeer.inline("alice"));
        FakePeer bob = FakePeer.inline("bob");
        Member bobInLobby = chat.join("lobby", bob);
        int sendsBeforeLeaving = bob.sends();

        chat.rooms.leave(bobInLobby);
        chat.rooms.leave(bobInLobby);
        chat.rooms.publish(alice, "anyone?");

        assertEquals(sendsBeforeLeaving, bob.sends());
        assertEquals(1, chat.rooms.members());
        chat.rooms.leave(alice);
        assertEquals(0, chat.rooms.members());
        assertEquals(0, chat.rooms.rooms(), "an empty room must disappear");
    }

    @Test
    void memberThatLeftCannotBroadcast() {
        Member alice = chat.join("lobby", FakePeer.inline("alice"));
        FakePeer bob = FakePeer.inline("bob");
        chat.join("lobby", bob);

        chat.rooms.leave(alice);
        chat.rooms.publish(alice, "ghost");

        assertTrue(bob.events("message").isEmpty());
    }

    @Test
    void evictsAndClosesAMemberWhoseSendFailsWhileOthersKeepReceiving() {
        chat.configure(ChatSettings.DEFAULTS);
        FakePeer healthy = FakePeer.async("healthy", chat.completions);
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        chat.join("lobby", healthy);
        FakePeer broken = FakePeer.failingOnSend("broken", chat.completions, 3);
        chat.join("lobby", broken);

        for (int i = 0; i < 50; i++) {
            chat.rooms.publish(sender, "sender:" + i);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.texts().size() == 50);
        // It leaves, then is closed, off the thread that completed its failed send.
        await().atMost(Duration.ofSeconds(5)).until(() -> chat.rooms.members() == 2 && broken.closedWith() != null);
        assertEquals(CloseCodes.UNEXPECTED_CONDITION, broken.closedWith().getCloseCode());
        assertEquals(List.of("sender:0"), broken.texts());
        assertEquals(0, broken.violations(), "written to after its send failed");
        assertEquals(0, healthy.violations());
        assertNull(healthy.closedWith());
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.events("leave").size() == 1);
    }

    @Test
    void reconnectClosesTheNamedMemberWithServiceRestart() {
        FakePeer alice = FakePeer.inline("alice");
        chat.join("lobby", alice);

        assertFalse(chat.rooms.reconnect("lobby", "nobody"));
        assertTrue(chat.rooms.reconnect("lobby", "alice"));

        assertEquals(CloseCodes.SERVICE_RESTART, alice.closedWith().getCloseCode());
        assertEquals(0, chat.rooms.members());
        assertFalse(chat.rooms.reconnect("lobby", "alice"), "gone: a second request finds nobody");
    }

    @Test
    void dropsAReceiverThatFallsBehindWith1013AndTheOthersNeverNotice() {
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stuck = FakePeer.async("stuck", neverCompleted::add);
        FakePeer healthy = FakePeer.inline("healthy");
        Member sender = lobbyWith(new ChatSettings.Outbound(5, 1_048_576, 10), healthy, stuck);

        for (int i = 0; i < 20; i++) {
            chat.rooms.publish(sender, "sender:" + i);
        }

        assertEquals(20, healthy.texts().size());
        assertEquals(0, healthy.violations());
        assertEquals(2, chat.rooms.members());
        assertEquals(1, chat.metrics.outboxOverflows());
        neverCompleted.forEach(Runnable::run); // the welcome's send finally completes
        assertEquals(CloseCodes.TRY_AGAIN_LATER, stuck.closedWith().getCloseCode());
    }

    @Test
    void whenAllQueuesTogetherPassTheNodesTotalTheLargestIsDroppedWith1013AndItsRoomHearsItLeave() {
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stuck = FakePeer.async("stuck", neverCompleted::add);
        FakePeer healthy = FakePeer.inline("healthy");
        Member sender = lobbyWith(new ChatSettings.Outbound(1024, 1_048_576, 10, 0, 0, 100_000), healthy, stuck);
        FakePeer behind = FakePeer.async("behind", neverCompleted::add);
        Member other = chat.join("elsewhere", FakePeer.inline("other"));
        chat.join("elsewhere", behind);
        String text = "x".repeat(900);

        for (int i = 0; i < 70; i++) {
            chat.rooms.publish(sender, text);
        }
        for (int i = 0; i < 40; i++) {
            chat.rooms.publish(other, text);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> !healthy.events("leave").isEmpty());
        assertEquals("stuck", healthy.events("leave").get(0).getString("member"));
        assertEquals(1, chat.rooms.outboundBudget().shed());
        assertEquals(70, healthy.events("message").size(), "the others never notice");
        while (!neverCompleted.isEmpty()) {
            neverCompleted.poll().run();
        }
        assertEquals(CloseCodes.TRY_AGAIN_LATER, stuck.closedWith().getCloseCode());
        assertNull(behind.closedWith(), "the smaller queue stays");
    }

    /**
     * Configures the outbound bounds, with a send rate no test here reaches, and seats a sender and
     * then the peers in the lobby; returns the sender.
     */
    private Member lobbyWith(ChatSettings.Outbound outbound, FakePeer... peers) {
        chat.configure(Settings.defaultsWith(new ChatSettings.Inbound(65_536, 1000, 1000, 10), outbound));
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        for (FakePeer peer : peers) {
            chat.join("lobby", peer);
        }
        return sender;
    }
}
