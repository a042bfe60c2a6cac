package dev.chorus.chat;

import static dev.chorus.testsupport.FakePeer.strings;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.handshake.ConnectionQuota;
import dev.chorus.testsupport.FakePeer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.weld.junit.MockBean;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {

    private static final Instant NOW = Instant.parse("2026-11-25T09:19:07.123Z");
    private static final OptionalLong FRESH = OptionalLong.empty();

    private final ExecutorService completions = Executors.newFixedThreadPool(2);
    private final ChatMetrics metrics = new ChatMetrics();
    private SessionRegistry registry = registry(ChatSettings.DEFAULTS.with(new ChatSettings.History(3, 2)));

    @AfterEach
    void stop() {
        completions.shutdownNow();
    }

    /** The monotonic time the registry paces senders by; tests move it by hand. */
    private long nanos;

    private SessionRegistry registry(ChatSettings settings) {
        return new SessionRegistry(settings, metrics, new ConnectionQuota(settings), Clock.fixed(NOW, ZoneOffset.UTC),
                () -> nanos);
    }

    private Member join(String room, FakePeer peer) {
        return registry.join(room, peer.name(), FRESH, peer);
    }

    /** Joins a sender to the room and has it say m1 to m{count}. */
    private void talk(String room, int count) {
        Member sender = join(room, FakePeer.inline("sender"));
        for (int i = 1; i <= count; i++) {
            registry.broadcast(sender, "m" + i);
        }
    }

    private static List<Integer> historyIds(JsonObject welcome) {
        return welcome.getJsonArray("history").getValuesAs(JsonObject.class).stream().map(m -> m.getInt("id")).toList();
    }

    private static JsonObject only(FakePeer peer, String type) {
        List<JsonObject> events = peer.events(type);
        assertEquals(1, events.size(), peer + " got " + peer.events());
        return events.get(0);
    }

    @Nested
    @EnableWeld
    class AsABean {

        @WeldSetup
        WeldInitiator weld = WeldInitiator.from(SessionRegistry.class, ChatMetrics.class, ConnectionQuota.class)
                .addBeans(MockBean.of(ChatSettings.DEFAULTS, ChatSettings.class))
                .activate(ApplicationScoped.class)
                .build();

        @Inject
        SessionRegistry bean;

        @Inject
        BeanManager beans;

        @Test
        void isOneSharedApplicationScopedBean() {
            var resolved = beans.resolve(beans.getBeans(SessionRegistry.class));
            assertSame(ApplicationScoped.class, resolved.getScope());
            bean.join("lobby", "alice", FRESH, FakePeer.inline("alice"));
            assertEquals(1, weld.select(SessionRegistry.class).get().members(), "every injection point shares one registry");
        }
    }

    @Test
    void stampsAndRelaysAMessageToEveryOtherMemberAndAcksTheSender() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        FakePeer carol = FakePeer.async("carol", completions);
        Member fromAlice = join("lobby", alice);
        join("lobby", bob);
        join("lobby", carol);

        registry.broadcast(fromAlice, "hello");

        JsonObject message = only(bob, "message");
        assertEquals("lobby", message.getString("room"));
        assertEquals(1, message.getInt("id"));
        assertEquals("alice", message.getString("from"));
        assertEquals("hello", message.getString("text"));
        assertEquals("2026-11-25T09:19:07.123Z", message.getString("ts"));
        await().atMost(Duration.ofSeconds(5)).until(() -> carol.events("message").size() == 1);
        // Welcomes 3, join events 1 + 2, then the message to 2 others and the ack.
        assertEquals(3 + 3 + 3, metrics.deliveries());
        assertEquals(message, carol.events("message").get(0));
        assertTrue(alice.events("message").isEmpty(), "the sender got its own message back");
        assertEquals(1, only(alice, "ack").getInt("id"));
    }

    @Test
    void senderCannotSpoofItsNameThroughTheText() {
        FakePeer bob = FakePeer.inline("bob");
        Member mallory = join("lobby", FakePeer.inline("mallory"));
        join("lobby", bob);
        String forged = "{\"type\":\"message\",\"from\":\"alice\",\"text\":\"hi\"}";

        registry.broadcast(mallory, forged);

        JsonObject message = only(bob, "message");
        assertEquals("mallory", message.getString("from"));
        assertEquals(forged, message.getString("text"));
    }

    @Test
    void keepsRoomsApartAndNumbersEachRoomOnItsOwn() {
        FakePeer inLobby = FakePeer.inline("lobby-member");
        FakePeer inKitchen = FakePeer.inline("kitchen-member");
        Member lobbySender = join("lobby", FakePeer.inline("sender"));
        Member kitchenSender = join("kitchen", FakePeer.inline("sender"));
        join("lobby", inLobby);
        join("kitchen", inKitchen);

        registry.broadcast(lobbySender, "one");
        registry.broadcast(lobbySender, "two");
        registry.broadcast(kitchenSender, "elsewhere");

        assertEquals(List.of("one", "two"), inLobby.texts());
        assertEquals(List.of("elsewhere"), inKitchen.texts());
        assertEquals(1, inKitchen.events("message").get(0).getInt("id"));
        assertEquals(2, registry.rooms());
    }

    @Test
    void welcomesWithTheMembersAndTellsTheOthersWhoJoinedAndLeft() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        join("lobby", alice);
        Member bobInLobby = join("lobby", bob);

        JsonObject welcome = only(bob, "welcome");
        assertEquals("bob", welcome.getString("you"));
        assertEquals("lobby", welcome.getString("room"));
        assertEquals(List.of("alice", "bob"), strings(welcome, "members"));
        JsonObject joined = only(alice, "join");
        assertEquals("bob", joined.getString("member"));
        assertEquals(List.of("alice", "bob"), strings(joined, "members"));
        assertTrue(bob.events("join").isEmpty(), "the joiner gets a welcome, not its own join");

        registry.leave(bobInLobby);

        JsonObject left = only(alice, "leave");
        assertEquals("bob", left.getString("member"));
        assertEquals(List.of("alice"), strings(left, "members"));
    }

    @Test
    void givesATakenNameTheFirstFreeSuffix() {
        Member first = join("lobby", FakePeer.inline("alice"));
        Member second = join("lobby", FakePeer.inline("alice"));
        Member third = join("lobby", FakePeer.inline("alice"));
        Member elsewhere = join("kitchen", FakePeer.inline("alice"));

        assertEquals(List.of("alice", "alice#2", "alice#3", "alice"),
                List.of(first.name(), second.name(), third.name(), elsewhere.name()));
        registry.leave(second);
        assertEquals("alice#2", join("lobby", FakePeer.inline("alice")).name());
    }

    @Test
    void welcomeCarriesOnlyTheLastMessagesTheRoomKeeps() {
        talk("lobby", 5);
        FakePeer late = FakePeer.inline("late");
        join("lobby", late);

        JsonObject welcome = only(late, "welcome");
        List<JsonObject> history = welcome.getJsonArray("history").getValuesAs(JsonObject.class);
        assertEquals(List.of(3, 4, 5), historyIds(welcome));
        assertEquals("m5", history.get(2).getString("text"));
        assertEquals("sender", history.get(2).getString("from"));
    }

    @Test
    void resumingReplaysExactlyTheKeptMessagesAfterTheGivenId() {
        talk("lobby", 5);

        FakePeer resuming = FakePeer.inline("resuming");
        registry.join("lobby", "resuming", OptionalLong.of(3), resuming);
        FakePeer upToDate = FakePeer.inline("up-to-date");
        registry.join("lobby", "up-to-date", OptionalLong.of(5), upToDate);

        assertEquals(List.of(4, 5), historyIds(only(resuming, "welcome")));
        assertTrue(resuming.events("gap").isEmpty());
        assertTrue(only(upToDate, "welcome").getJsonArray("history").isEmpty());
        assertTrue(upToDate.events("gap").isEmpty());
    }

    @Test
    void resumingPastWhatIsKeptSaysSoWithAGapBeforeTheWelcome() {
        talk("lobby", 6);

        FakePeer behind = FakePeer.inline("behind");
        registry.join("lobby", "behind", OptionalLong.of(1), behind);

        List<JsonObject> events = behind.events();
        assertEquals("gap", events.get(0).getString("type"));
        assertEquals(1, events.get(0).getInt("after"));
        assertEquals(4, events.get(0).getInt("until"), "ids 2 and 3 are lost; 4 is the oldest kept");
        assertEquals(List.of(4, 5, 6), historyIds(events.get(1)));
    }

    @Test
    void resumingFromAnIdTheRoomNeverIssuedSaysTheNumberingRestarted() {
        Member sender = join("lobby", FakePeer.inline("sender"));
        registry.broadcast(sender, "m1");

        FakePeer fromAnotherLife = FakePeer.inline("old-client");
        registry.join("lobby", "old-client", OptionalLong.of(57), fromAnotherLife);

        JsonObject gap = fromAnotherLife.events().get(0);
        assertEquals("gap", gap.getString("type"));
        assertEquals(57, gap.getInt("after"));
        assertEquals(1, gap.getInt("until"));
        assertEquals(1, only(fromAnotherLife, "welcome").getJsonArray("history").size());
    }

    @Test
    void aRoomThatEmptiedKeepsItsHistoryAndNumberingForWhoeverComesBack() {
        Member first = join("lobby", FakePeer.inline("first"));
        registry.broadcast(first, "before everyone left");
        registry.leave(first);
        assertEquals(0, registry.rooms());

        FakePeer back = FakePeer.inline("back");
        Member again = join("lobby", back);
        registry.broadcast(again, "after");

        assertEquals("before everyone left", only(back, "welcome").getJsonArray("history")
                .getJsonObject(0).getString("text"));
        assertEquals(2, only(back, "ack").getInt("id"));
    }

    @Test
    void forgetsTheHistoriesOfRoomsThatEmptiedLongestAgoBeyondTheLimit() {
        for (String room : List.of("a", "b", "c")) {
            Member member = join(room, FakePeer.inline("x"));
            registry.broadcast(member, "in " + room);
            registry.leave(member);
        }

        FakePeer inA = FakePeer.inline("y");
        join("a", inA);
        FakePeer inC = FakePeer.inline("y");
        join("c", inC);

        assertTrue(only(inA, "welcome").getJsonArray("history").isEmpty(), "a emptied first and is over the limit of 2");
        assertEquals(1, only(inC, "welcome").getJsonArray("history").size());
    }

    @Test
    void sendsNothingToAMemberThatLeftAndForgetsEmptyRooms() {
        Member alice = join("lobby", FakePeer.inline("alice"));
        FakePeer bob = FakePeer.inline("bob");
        Member bobInLobby = join("lobby", bob);
        int sendsBeforeLeaving = bob.sends();

        registry.leave(bobInLobby);
        registry.leave(bobInLobby);
        registry.broadcast(alice, "anyone?");

        assertEquals(sendsBeforeLeaving, bob.sends());
        assertEquals(1, registry.members());
        registry.leave(alice);
        assertEquals(0, registry.members());
        assertEquals(0, registry.rooms(), "an empty room must disappear");
    }

    @Test
    void memberThatLeftCannotBroadcast() {
        Member alice = join("lobby", FakePeer.inline("alice"));
        FakePeer bob = FakePeer.inline("bob");
        join("lobby", bob);

        registry.leave(alice);
        registry.broadcast(alice, "ghost");

        assertTrue(bob.events("message").isEmpty());
    }

    @Test
    void evictsAndClosesAMemberWhoseSendFailsWhileOthersKeepReceiving() {
        registry = registry(ChatSettings.DEFAULTS);
        FakePeer healthy = FakePeer.async("healthy", completions);
        Member sender = join("lobby", FakePeer.inline("sender"));
        join("lobby", healthy);
        FakePeer broken = FakePeer.failingOnSend("broken", completions, 3);
        join("lobby", broken);

        for (int i = 0; i < 50; i++) {
            registry.broadcast(sender, "sender:" + i);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.texts().size() == 50);
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.members() == 2);
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
        join("lobby", alice);

        assertFalse(registry.reconnect("lobby", "nobody"));
        assertTrue(registry.reconnect("lobby", "alice"));

        assertEquals(CloseCodes.SERVICE_RESTART, alice.closedWith().getCloseCode());
        assertEquals(0, registry.members());
        assertFalse(registry.reconnect("lobby", "alice"), "gone: a second request finds nobody");
    }

    @Test
    void blankTextGetsAnErrorAndIsNotRelayed() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member fromAlice = join("lobby", alice);
        join("lobby", bob);

        registry.say(fromAlice, " \t ");

        assertEquals("empty", only(alice, "error").getString("code"));
        assertTrue(bob.events("message").isEmpty());
    }

    @Test
    void pacesASenderWithErrorsAndClosesItWhenItKeepsFlooding() {
        registry = registry(ChatSettings.DEFAULTS.with(new ChatSettings.Inbound(65_536, 2, 3, 4)));
        FakePeer flooder = FakePeer.inline("flooder");
        FakePeer bob = FakePeer.inline("bob");
        Member fromFlooder = join("lobby", flooder);
        join("lobby", bob);

        for (int i = 0; i < 3 + 3; i++) {
            registry.say(fromFlooder, "m" + i);
        }
        assertEquals(List.of("m0", "m1", "m2"), bob.texts(), "a burst of 3 passes, the rest is dropped");
        assertEquals(3, flooder.events("error").size());
        assertEquals(3, metrics.rateLimitedMessages());
        assertEquals(3, metrics.messagesReceived());
        assertEquals("rate-limited", flooder.events("error").get(0).getString("code"));

        nanos += 1_000_000_000L; // one second: 2 more tokens
        registry.say(fromFlooder, "after a pause");
        registry.say(fromFlooder, "and another");
        assertEquals("and another", bob.texts().get(4));
        assertNull(flooder.closedWith(), "an accepted message clears the strikes");

        for (int i = 0; i < 4; i++) {
            registry.say(fromFlooder, "flood " + i);
        }
        assertEquals(CloseCodes.VIOLATED_POLICY, flooder.closedWith().getCloseCode());
        assertEquals(1, registry.members());
    }

    @Test
    void aMessageOverTheSizeLimitInUtf8BytesClosesWith1009() {
        registry = registry(ChatSettings.DEFAULTS.with(new ChatSettings.Inbound(8, 20, 40, 10)));
        FakePeer bob = FakePeer.inline("bob");
        FakePeer alice = FakePeer.inline("alice");
        Member fromAlice = join("lobby", alice);
        join("lobby", bob);

        registry.say(fromAlice, "ééé");   // 6 bytes: passes
        registry.say(fromAlice, "éééé");  // 8 bytes: passes
        assertNull(alice.closedWith());
        registry.say(fromAlice, "ééééé"); // 10 bytes, though only 5 chars

        assertEquals(List.of("ééé", "éééé"), bob.texts());
        assertEquals(CloseCodes.TOO_BIG, alice.closedWith().getCloseCode());
    }

    @Test
    void dropsAReceiverThatFallsBehindWith1013AndTheOthersNeverNotice() {
        registry = registry(ChatSettings.DEFAULTS
                .with(new ChatSettings.Inbound(65_536, 1000, 1000, 10))
                .with(new ChatSettings.Outbound(5, 1_048_576, 10)));
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stuck = FakePeer.async("stuck", neverCompleted::add);
        FakePeer healthy = FakePeer.inline("healthy");
        Member sender = join("lobby", FakePeer.inline("sender"));
        join("lobby", healthy);
        join("lobby", stuck);

        for (int i = 0; i < 20; i++) {
            registry.broadcast(sender, "sender:" + i);
        }

        assertEquals(20, healthy.texts().size());
        assertEquals(0, healthy.violations());
        assertEquals(2, registry.members());
        assertEquals(1, metrics.outboxOverflows());
        neverCompleted.forEach(Runnable::run); // the welcome's send finally completes
        assertEquals(CloseCodes.TRY_AGAIN_LATER, stuck.closedWith().getCloseCode());
    }

    @Test
    void heartbeatPingsMembersItHeardFromAndDropsTheSilentOnesWith1001() {
        FakePeer talker = FakePeer.inline("talker");
        FakePeer quiet = FakePeer.inline("quiet");
        Member talking = join("lobby", talker);
        join("lobby", quiet);

        nanos += 30_000_000_000L;
        registry.say(talking, "still here");
        registry.heartbeat();
        assertEquals(1, talker.pings());
        assertEquals(1, quiet.pings(), "30 s of silence is within the 60 s limit");

        nanos += 31_000_000_000L;
        registry.heartbeat();

        assertEquals(CloseCodes.GOING_AWAY, quiet.closedWith().getCloseCode());
        assertEquals(2, talker.pings());
        assertEquals(1, metrics.silentDrops());
        assertEquals(1, registry.members());
        assertEquals(0, talker.violations() + quiet.violations());
    }

    @Test
    void aPingWaitsBehindTheFramesAlreadyQueued() {
        Queue<Runnable> pending = new ArrayDeque<>();
        FakePeer slow = FakePeer.async("slow", pending::add);
        Member sender = join("lobby", FakePeer.inline("sender"));
        join("lobby", slow);
        registry.broadcast(sender, "queued");

        registry.heartbeat();
        assertEquals(0, slow.pings(), "pinged while a send was in flight");
        while (!pending.isEmpty()) {
            pending.remove().run();
        }

        assertEquals(1, slow.pings());
        assertEquals(0, slow.violations());
    }

    @Test
    void dropsAMemberWhoseSendOutlastsTheTimeoutAndClosesItsSocketAtOnce() {
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stopped = FakePeer.async("stopped reading", neverCompleted::add);
        FakePeer healthy = FakePeer.inline("healthy");
        Member sender = join("lobby", FakePeer.inline("sender"));
        join("lobby", healthy);
        join("lobby", stopped); // its welcome's send never completes

        nanos += 10_000_000_000L;
        registry.expireStuckSends();
        assertNull(stopped.closedWith(), "10 s is within the 10 s send timeout");
        nanos += 1;
        registry.broadcast(sender, "still flowing");
        registry.expireStuckSends();

        assertEquals(CloseCodes.TRY_AGAIN_LATER, stopped.closedWith().getCloseCode());
        assertEquals("too slow: send timed out", stopped.closedWith().getReasonPhrase());
        assertEquals(1, metrics.sendTimeouts());
        assertEquals(2, registry.members());
        assertEquals(List.of("still flowing"), healthy.texts());
        assertEquals(1, healthy.events("leave").size());
    }

    @Test
    void aDroppedMemberWhoseCloseWaitsBehindAStuckSendIsClosedOutrightAfterTheTimeout() {
        registry = registry(ChatSettings.DEFAULTS.with(new ChatSettings.Outbound(2, 1_048_576, 10)));
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stopped = FakePeer.async("stopped reading", neverCompleted::add);
        Member sender = join("lobby", FakePeer.inline("sender"));
        join("lobby", stopped);
        for (int i = 0; i < 3; i++) {
            registry.broadcast(sender, "m" + i); // the third overflows its queue of 2
        }
        assertEquals(1, metrics.outboxOverflows());
        assertNull(stopped.closedWith(), "the 1013 waits for the welcome's send in flight");

        nanos += 5_000_000_000L;
        registry.expireStuckSends();
        assertNull(stopped.closedWith(), "closed before the send timed out");
        nanos += 6_000_000_000L;
        registry.expireStuckSends();

        assertEquals("too slow: outbound queue full", stopped.closedWith().getReasonPhrase());
        assertEquals(0, metrics.sendTimeouts(), "dropped once, for the full queue");
        neverCompleted.forEach(Runnable::run);
        assertEquals(1, stopped.closes());
    }

    @Test
    void shutdownClosesEveryoneWith1001AfterWhatWasQueuedWithoutLeaveEventsAndDoesNotWaitForAStuckSend() {
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stuck = FakePeer.async("stuck", neverCompleted::add);
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        Member sender = join("lobby", alice);
        join("lobby", bob);
        join("elsewhere", stuck); // its welcome's send never completes
        registry.broadcast(sender, "last words");

        registry.closeAll(Duration.ZERO);

        for (FakePeer peer : List.of(alice, bob, stuck)) {
            assertEquals(CloseCodes.GOING_AWAY, peer.closedWith().getCloseCode(), peer.name());
            assertEquals(1, peer.closes(), peer.name());
        }
        assertEquals(List.of("last words"), bob.texts());
        assertEquals(List.of(), alice.events("leave"), "nobody is told of the others leaving");
        assertEquals(List.of(), bob.events("leave"));
        assertEquals(0, registry.members());
        assertEquals(0, registry.rooms());
    }
}
