package dev.chorus.room;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One page of a room's kept messages, oldest first, as the message events clients get
 * ({@code messages}: serialised JSON objects), under the room's numbering ({@code epoch}).
 * {@code next} is the {@code since} of the following page, 0 on the last.
 */
public record HistoryPage(String room, String epoch, List<String> messages, long next) {

    /** The page of up to {@code limit} of the {@code kept} messages (oldest first) with an id above {@code since}. */
    public static <T> HistoryPage of(String room, String epoch, Iterable<T> kept, ToLongFunction<T> id,
            Function<T, String> frame, long since, int limit) {
        List<String> frames = new ArrayList<>();
        long last = since;
        for (T message : kept) {
            if (id.applyAsLong(message) > since) {
                if (frames.size() == limit) {
                    return new HistoryPage(room, epoch, frames, last);
                }
                frames.add(frame.apply(message));
                last = id.applyAsLong(message);
            }
        }
        return new HistoryPage(room, epoch, frames, 0);
    }
}
