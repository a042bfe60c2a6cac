package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.config.ChatSettings;
import dev.chorus.room.Member;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.FakePeer;
import dev.chorus.testsupport.Settings;
import jakarta.websocket.CloseReason.CloseCodes;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The liveness sweeps: pings, silent members, sends that never finish. */
class HeartbeatTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    @Test
    void heartbeatPingsMembersItHeardFromAndDropsTheSilentOnesWith1001() {
        FakePeer talker = FakePeer.inline("talker");
        FakePeer quiet = FakePeer.inline("quiet");
        Member talking = chat.join("lobby", talker);
        chat.join("lobby", quiet);

        chat.nanos += 30_000_000_000L;
        chat.connections().say(talking, "still here");
        chat.heartbeat().beat();
        assertEquals(1, talker.pings());
        assertEquals(1, quiet.pings(), "30 s of silence is within the 60 s limit");

        chat.nanos += 31_000_000_000L;
        chat.heartbeat().beat();

        assertEquals(CloseCodes.GOING_AWAY, quiet.closedWith().getCloseCode());
        assertEquals(2, talker.pings());
        assertEquals(1, chat.metrics.silentDrops());
        assertEquals(1, chat.rooms.members());
        assertEquals(0, talker.violations() + quiet.violations());
    }

    /** A close can block on the container's locks: the sweep hands each drop to the scheduler and goes on. */
    @Test
    void theBeatDropsSilentMembersOffItsOwnThread() {
        FakePeer quiet = FakePeer.inline("quiet");
        chat.join("lobby", quiet);
        Queue<Runnable> handedOver = new ArrayDeque<>();

        chat.nanos += 61_000_000_000L;
        chat.heartbeat(handedOver::add).beat();

        assertNull(quiet.closedWith(), "closed on the sweep's own thread");
        assertEquals(1, handedOver.size());
        handedOver.forEach(Runnable::run);
        assertEquals(CloseCodes.GOING_AWAY, quiet.closedWith().getCloseCode());
        assertEquals(0, chat.rooms.members());
    }

    /**
     * A ping that overflows a member's queue drops that member, and its leave writes to the
     * others: off the sweep's own thread too, once the pings are flushed.
     */
    @Test
    void theBeatDropsMembersThatItsPingOverflowedOffItsOwnThread() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Outbound(2, 1_048_576, 10)));
        Queue<Runnable> sendsToComplete = new ArrayDeque<>();
        FakePeer behind = FakePeer.async("behind", sendsToComplete::add);
        FakePeer other = FakePeer.inline("other");
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        chat.join("lobby", behind);
        chat.join("lobby", other);
        chat.rooms.publish(sender, "m1"); // behind: its welcome in flight, a join and m1 queued
        Queue<Runnable> handedOver = new ArrayDeque<>();

        chat.heartbeat(handedOver::add).beat();

        assertEquals(1, chat.metrics.outboxOverflows(), "the ping overflowed nobody");
        assertEquals(3, chat.rooms.members(), "dropped on the sweep's own thread");
        assertEquals(List.of(), other.events("leave"), "the leave was sent on the sweep's own thread");
        handedOver.forEach(Runnable::run);
        assertEquals(2, chat.rooms.members());
        assertEquals(1, other.events("leave").size());
        sendsToComplete.forEach(Runnable::run);
        assertEquals("too slow: outbound queue full", behind.closedWith().getReasonPhrase());
    }

    /**
     * A connection can die without the container ever reporting it (Tyrus loses a disconnect
     * that comes while it sets the connection up): the member would stay until the silence rule.
     * The next heartbeat sees its socket closed and drops it, though it was heard from just now.
     */
    @Test
    void heartbeatDropsAMemberWhoseSocketClosedUnreportedWithoutWaitingForTheSilenceRule() {
        FakePeer ghost = FakePeer.inline("ghost");
        FakePeer alive = FakePeer.inline("alive");
        chat.join("lobby", ghost);
        chat.join("lobby", alive);

        ghost.disconnect();
        chat.nanos += 1_000_000_000L;
        chat.heartbeat().beat();

        assertEquals(CloseCodes.GOING_AWAY, ghost.closedWith().getCloseCode());
        assertEquals(0, ghost.pings());
        assertEquals(1, alive.pings());
        assertEquals(1, chat.rooms.members());
    }

    /** A ghost costs presence for a second at most: the every-second sweep drops it, not the next heartbeat. */
    @Test
    void theEverySecondSweepDropsAMemberWhoseSocketClosedUnreported() {
        FakePeer ghost = FakePeer.inline("ghost");
        FakePeer alive = FakePeer.inline("alive");
        chat.join("lobby", ghost);
        chat.join("lobby", alive);

        ghost.disconnect();
        chat.heartbeat().expireStuckSends();

        assertEquals(1, ghost.closes());
        assertEquals(1, chat.rooms.members(), "the ghost left the room's presence");
        assertEquals("ghost", alive.events("leave").get(0).getString("member"));
        assertEquals(null, alive.closedWith());
    }

    @Test
    void aPingWaitsBehindTheFramesAlreadyQueued() {
        Queue<Runnable> pending = new ArrayDeque<>();
        FakePeer slow = FakePeer.async("slow", pending::add);
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        chat.join("lobby", slow);
        chat.rooms.publish(sender, "queued");

        chat.heartbeat().beat();
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
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        chat.join("lobby", healthy);
        chat.join("lobby", stopped); // its welcome's send never completes

        chat.nanos += 10_000_000_000L;
        chat.heartbeat().expireStuckSends();
        assertNull(stopped.closedWith(), "10 s is within the 10 s send timeout");
        chat.nanos += 1;
        chat.rooms.publish(sender, "still flowing");
        chat.heartbeat().expireStuckSends();

        assertEquals(CloseCodes.TRY_AGAIN_LATER, stopped.closedWith().getCloseCode());
        assertEquals("too slow: send timed out", stopped.closedWith().getReasonPhrase());
        assertEquals(1, chat.metrics.sendTimeouts());
        assertEquals(2, chat.rooms.members());
        assertEquals(List.of("still flowing"), healthy.texts());
        assertEquals(1, healthy.events("leave").size());
    }

    @Test
    void aDroppedMemberWhoseCloseWaitsBehindAStuckSendIsClosedOutrightAfterTheTimeout() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Outbound(2, 1_048_576, 10)));
        Queue<Runnable> neverCompleted = new ArrayDeque<>();
        FakePeer stopped = FakePeer.async("stopped reading", neverCompleted::add);
        Member sender = chat.join("lobby", FakePeer.inline("sender"));
        chat.join("lobby", stopped);
        for (int i = 0; i < 3; i++) {
            chat.rooms.publish(sender, "m" + i); // the third overflows its queue of 2
        }
        assertEquals(1, chat.metrics.outboxOverflows());
        assertNull(stopped.closedWith(), "the 1013 waits for the welcome's send in flight");

        chat.nanos += 5_000_000_000L;
        chat.heartbeat().expireStuckSends();
        assertNull(stopped.closedWith(), "closed before the send timed out");
        chat.nanos += 6_000_000_000L;
        chat.heartbeat().expireStuckSends();

        assertEquals("too slow: outbound queue full", stopped.closedWith().getReasonPhrase());
        assertEquals(0, chat.metrics.sendTimeouts(), "dropped once, for the full queue");
        neverCompleted.forEach(Runnable::run);
        assertEquals(1, stopped.closes());
    }
}
