package dev.chorus.outbound;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.protocol.CloseReasons;
import dev.chorus.testsupport.FakePeer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The node-wide total of queued characters: who is shed when all queues together pass it. */
class OutboundBudgetTest extends OutboxTestSupport {

    private static final String KILO = "x".repeat(1_000);

    /** About a hundred frames of a thousand characters: room for one large queue and a little more. */
    private final OutboundBudget budget = new OutboundBudget(100_000);

    @Test
    void passingTheTotalShedsTheLargestQueueWith1013AndTheGrowingQueueKeepsItsFrame() {
        FakePeer slow = FakePeer.async("slow", pending::add);
        Outbox behind = sendingAndQueueing(slow, 90);
        Outbox growing = sendingAndQueueing(FakePeer.async("other", pending::add), 10);
        assertEquals(100_000, budget.used());

        assertAccepted(growing.offer(KILO), "a larger queue is shed instead");

        assertEquals(1, budget.shed());
        assertEquals(11_000, budget.used(), "the shed queue's characters are given back at once");
        assertEquals(Offer.CLOSED, behind.offer(KILO), "a shed outbox takes nothing more");
        await().atMost(Duration.ofSeconds(5)).until(() -> failures.size() == 1);
        assertNull(slow.closedWith(), "the close waits for the send in flight");
        pending.poll().run();
        assertEquals(CloseReasons.NODE_QUEUES_FULL, slow.closedWith());
    }

    /**
     * Where the failures executor runs work on the caller's thread (Chorus' departures once stopped
     * at undeploy), a shed leaves the member and its socket alone: the caller may hold a room's read
     * lock, under which a leave would wait for the write lock for ever.
     */
    @Test
    void aShedNeverRunsTheLeaveOnTheThreadThatShed() {
        Outbox behind = sendingAndQueueing(FakePeer.async("slow", pending::add), 90, Runnable::run);
        Outbox growing = sendingAndQueueing(FakePeer.async("other", pending::add), 10, Runnable::run);

        assertAccepted(growing.offer(KILO));

        assertEquals(Offer.CLOSED, behind.offer(KILO));
        assertEquals(List.of(), failures);
    }

    @Test
    void theLargestQueueGrowingPastTheTotalIsRefusedItselfAndNobodyElseIsShed() {
        Outbox other = sendingAndQueueing(FakePeer.async("other", pending::add), 10);
        Outbox behind = sendingAndQueueing(FakePeer.async("slow", pending::add), 90);

        assertRefused(behind.offer(KILO));

        assertEquals(0, budget.shed());
        assertAccepted(other.offer(KILO), "the refused queue was dropped, which made room");
    }

    @Test
    void withNoLargeQueueTheQueueThatWouldGrowIsRefusedButAnEmptyQueueTakesItsFrame() {
        for (int i = 0; i < 5; i++) {
            sendingAndQueueing(FakePeer.async("small" + i, pending::add), 20);
        }
        Outbox growing = within(FakePeer.async("growing", pending::add));
        assertAccepted(growing.offer(KILO), "an empty queue's receiver is not behind");
        Outbox empty = within(FakePeer.async("empty", pending::add));

        assertRefused(growing.offer(KILO), "no queue is large enough to shed");
        assertAccepted(empty.offer(KILO));
        assertEquals(0, budget.shed());
    }

    @Test
    void everyCharacterIsGivenBackAndNoQueueStaysListedOnceEveryOutboxHasClosed() {
        Outbox behind = sendingAndQueueing(FakePeer.async("slow", pending::add), 90);
        Outbox other = sendingAndQueueing(FakePeer.async("other", pending::add), 10);
        other.offer(KILO);

        behind.close(CloseReasons.RECONNECT);
        other.close(CloseReasons.RECONNECT);
        while (!pending.isEmpty()) {
            pending.poll().run();
        }

        assertEquals(0, budget.used());
        assertEquals(0, budget.watched());
    }

    private Outbox within(FakePeer peer) {
        return within(peer, completions);
    }

    /** An outbox in the budget whose failure listener runs on {@code failuresOn}. */
    private Outbox within(FakePeer peer, Executor failuresOn) {
        return new Outbox(peer, Integer.MAX_VALUE, Long.MAX_VALUE, budget, () -> nanos, failures::add, failuresOn);
    }

    /** An outbox with a send in flight that completes when the test says, and {@code queued} frames behind it. */
    private Outbox sendingAndQueueing(FakePeer peer, int queued) {
        return sendingAndQueueing(peer, queued, completions);
    }

    private Outbox sendingAndQueueing(FakePeer peer, int queued, Executor failuresOn) {
        Outbox outbox = within(peer, failuresOn);
        assertAccepted(outbox.offer(KILO));
        outbox.flush();
        for (int i = 0; i < queued; i++) {
            assertAccepted(outbox.offer(KILO));
        }
        return outbox;
    }
}
