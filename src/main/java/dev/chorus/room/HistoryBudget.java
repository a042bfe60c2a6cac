package dev.chorus.room;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The characters of message frames every room's history keeps, live and retained rooms together,
 * against {@code chorus.history.total-max-chars}: without it, many rooms each within their own
 * budget could still fill the heap. When the total is over, the retained histories of rooms that
 * emptied go first (longest-emptied first), then the appending room forgets its own oldest.
 */
public final class HistoryBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final LongAdder forgotten = new LongAdder();
    /** Drops one retained history, if any is left; true if it did. */
    private volatile BooleanSupplier dropRetained = () -> false;

    HistoryBudget(long limit) {
        this.limit = limit;
    }

    void onOverDropRetained(BooleanSupplier dropOne) {
        this.dropRetained = dropOne;
    }

    void charge(long chars) {
        used.addAndGet(chars);
    }

    void release(long chars) {
        used.addAndGet(-chars);
    }

    /** True while over the total after retained histories were dropped to make room. */
    boolean over() {
        while (used.get() > limit) {
            if (!dropRetained.getAsBoolean()) {
                return used.get() > limit;
            }
        }
        return false;
    }

    void forgot(int messages) {
        forgotten.add(messages);
    }

    /** Characters kept in all histories now. */
    public long used() {
        return used.get();
    }

    /** Messages forgotten before the history size because a character budget was full. */
    public long forgotten() {
        return forgotten.sum();
    }
}
