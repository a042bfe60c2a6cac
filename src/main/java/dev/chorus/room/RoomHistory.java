package dev.chorus.room;

import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.Resume;
import dev.chorus.protocol.ServerEvents;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A room's message numbering and its last messages, as the frames that were sent (serialised
 * once, so a welcome only splices them): at most {@code capacity} of them and {@code maxChars}
 * characters, within the {@link HistoryBudget} all rooms share. The newest message is always kept,
 * so a resume never misses more than the budgets forced. Not thread-safe: the room numbers and
 * keeps under its read lock plus its sequence lock, and reads under its write lock.
 */
public final class RoomHistory {

    private record Kept(long id, String frame) {
    }

    private final String room;
    private final int capacity;
    private final long maxChars;
    private final HistoryBudget budget;
    private final Deque<Kept> kept;
    private long chars;
    private long nextId;
    /**
     * Names this numbering: a history made anew (a restart, a forgotten room) numbers from 1
     * again under another epoch. Random, so two nodes or two lives never share one.
     */
    private final String epoch;

    /** A history of its own: numbering from 1 under a fresh epoch. */
    RoomHistory(String room, int capacity, long maxChars, HistoryBudget budget) {
        this(room, capacity, maxChars, budget, Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36), 1);
    }

    /** A history that goes on from a numbering kept elsewhere (the cluster's, in Redis). */
    public RoomHistory(String room, int capacity, long maxChars, HistoryBudget budget, String epoch, long nextId) {
        this.room = room;
        this.epoch = epoch;
        this.nextId = nextId;
        this.capacity = capacity;
        this.maxChars = maxChars;
        this.budget = budget;
        this.kept = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Numbers a new message; {@link #keep} it once it is serialised. */
    ChatMessage number(String from, String text, Instant ts, boolean fromServer) {
        return new ChatMessage(room, nextId++, from, text, ts, fromServer);
    }

    /** Keeps a message numbered elsewhere (by the cluster); the next id follows it. */
    public void keepNumbered(ChatMessage message, String frame) {
        nextId = Math.max(nextId, message.id() + 1);
        keep(message, frame);
    }

    /** Keeps the message's frame, forgetting the oldest beyond the count and the budgets. */
    void keep(ChatMessage message, String frame) {
        if (capacity == 0) {
            return;
        }
        kept.addLast(new Kept(message.id(), frame));
        chars += frame.length();
        budget.charge(frame.length());
        if (kept.size() > capacity) {
            forgetOldest();
        }
        int forgotten = 0;
        while (chars > maxChars && kept.size() > 1) {
            forgetOldest();
            forgotten++;
        }
        // over() first: it drops retained histories before this room gives up its own.
        while (budget.over() && kept.size() > 1) {
            forgetOldest();
            forgotten++;
        }
        budget.forgot(forgotten);
    }

    private void forgetOldest() {
        Kept oldest = kept.removeFirst();
        chars -= oldest.frame().length();
        budget.release(oldest.frame().length());
    }

    /** Gives this history's characters back to the budget: it is being forgotten whole. */
    public void discard() {
        budget.release(chars);
        chars = 0;
        kept.clear();
    }

    /**
     * The id a resuming client has seen up to, once the gap (if any) went to {@code gaps}: a gap
     * with reset when its ids are of another numbering or not below {@code nextId} (a cluster's
     * next id may be ahead of this history's), a plain one when messages after them are gone.
     */
    long resumeFrom(Resume resume, long nextId, Consumer<String> gaps) {
        long seenUpTo = resume.since().orElse(0);
        if (resume.since().isPresent()) {
            long oldest = Math.min(oldestKept(), nextId);
            boolean otherNumbering = resume.epoch().map(other -> !other.equals(epoch)).orElse(false);
            boolean reset = otherNumbering || seenUpTo >= nextId;
            if (reset || seenUpTo + 1 < oldest) {
                gaps.accept(ServerEvents.gap(room, seenUpTo, oldest, reset));
                seenUpTo = oldest - 1;
            }
        }
        return seenUpTo;
    }

    /** The frames of the kept messages with an id above {@code since}, oldest first. */
    List<String> after(long since) {
        List<String> frames = new ArrayList<>();
        for (Kept message : kept) {
            if (message.id() > since) {
                frames.add(message.frame());
            }
        }
        return frames;
    }

    /** Up to {@code limit} kept messages with an id above {@code since}, oldest first, and where the next page starts. */
    HistoryPage page(long since, int limit) {
        return HistoryPage.of(room, epoch, kept, Kept::id, Kept::frame, since, limit);
    }

    /** The id of the oldest message still kept, or the next id if none is. */
    long oldestKept() {
        return kept.isEmpty() ? nextId : kept.peekFirst().id();
    }

    public String epoch() {
        return epoch;
    }

    public long nextId() {
        return nextId;
    }
}
