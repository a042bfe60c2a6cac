package dev.chorus.chat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testsupport.FakePeer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason.CloseCodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.weld.junit5.EnableWeld;
import org.jboss.weld.junit5.WeldInitiator;
import org.jboss.weld.junit5.WeldSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableWeld
class SessionRegistryTest {

    @WeldSetup
    WeldInitiator weld = WeldInitiator.from(SessionRegistry.class).activate(ApplicationScoped.class).build();

    @Inject
    SessionRegistry registry;

    @Inject
    BeanManager beans;

    private final ExecutorService completions = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        completions.shutdownNow();
    }

    @Test
    void isOneSharedApplicationScopedBean() {
        var bean = beans.resolve(beans.getBeans(SessionRegistry.class));
        assertSame(ApplicationScoped.class, bean.getScope());
        registry.join("lobby", FakePeer.inline("alice"));
        assertEquals(1, weld.select(SessionRegistry.class).get().members(), "every injection point shares one registry");
    }

    @Test
    void relaysToEveryOtherMemberButNotBackToTheSender() {
        FakePeer alice = FakePeer.inline("alice");
        FakePeer bob = FakePeer.inline("bob");
        FakePeer carol = FakePeer.async("carol", completions);
        Member fromAlice = registry.join("lobby", alice);
        registry.join("lobby", bob);
        registry.join("lobby", carol);

        registry.broadcast(fromAlice, "hello");

        assertEquals(List.of("hello"), bob.frames());
        await().atMost(Duration.ofSeconds(5)).until(() -> carol.frames().equals(List.of("hello")));
        assertTrue(alice.frames().isEmpty(), "the sender got its own message back");
    }

    @Test
    void keepsRoomsApart() {
        FakePeer inLobby = FakePeer.inline("lobby-member");
        FakePeer inOther = FakePeer.inline("other-member");
        Member sender = registry.join("lobby", FakePeer.inline("sender"));
        registry.join("lobby", inLobby);
        registry.join("other", inOther);

        registry.broadcast(sender, "for the lobby");

        assertEquals(List.of("for the lobby"), inLobby.frames());
        assertTrue(inOther.frames().isEmpty());
        assertEquals(2, registry.rooms());
    }

    @Test
    void sendsNothingToAMemberThatLeftAndForgetsEmptyRooms() {
        Member alice = registry.join("lobby", FakePeer.inline("alice"));
        FakePeer bob = FakePeer.inline("bob");
        Member bobInLobby = registry.join("lobby", bob);

        registry.leave(bobInLobby);
        registry.leave(bobInLobby);
        registry.broadcast(alice, "anyone?");

        assertTrue(bob.frames().isEmpty());
        assertEquals(1, registry.members());
        registry.leave(alice);
        assertEquals(0, registry.members());
        assertEquals(0, registry.rooms(), "an empty room must disappear");
    }

    @Test
    void memberThatLeftCannotBroadcast() {
        Member alice = registry.join("lobby", FakePeer.inline("alice"));
        FakePeer bob = FakePeer.inline("bob");
        registry.join("lobby", bob);

        registry.leave(alice);
        registry.broadcast(alice, "ghost");

        assertTrue(bob.frames().isEmpty());
    }

    @Test
    void rejoiningARetiredRoomNameOpensAFreshRoom() {
        Member first = registry.join("lobby", FakePeer.inline("first"));
        registry.leave(first);
        FakePeer second = FakePeer.inline("second");
        Member again = registry.join("lobby", FakePeer.inline("again"));
        registry.join("lobby", second);

        registry.broadcast(again, "still works");

        assertEquals(List.of("still works"), second.frames());
    }

    @Test
    void evictsAndClosesAMemberWhoseSendFailsWhileOthersKeepReceiving() {
        FakePeer broken = FakePeer.failingOnSend("broken", completions, 2);
        FakePeer healthy = FakePeer.async("healthy", completions);
        Member sender = registry.join("lobby", FakePeer.inline("sender"));
        registry.join("lobby", broken);
        registry.join("lobby", healthy);

        for (int i = 0; i < 50; i++) {
            registry.broadcast(sender, "sender:" + i);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> healthy.received() == 50);
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.members() == 2);
        assertEquals(CloseCodes.UNEXPECTED_CONDITION, broken.closedWith().getCloseCode());
        assertEquals(List.of("sender:0"), broken.frames());
        assertEquals(0, broken.violations(), "written to after its send failed");
        assertEquals(0, healthy.violations());
        assertNull(healthy.closedWith());
    }
}
