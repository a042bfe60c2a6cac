package dev.chorus.cluster;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings a node the entries of the rooms it follows: each as it is appended, pushed on the room's
 * shard channel ({@code SSUBSCRIBE}), and, where a push does not follow what the room applied last
 * (it subscribed after the room's backlog was read, or a push went missing), the log from where the
 * room stands ({@code XRANGE}, in pages). A room read from the log is subscribed to first, so that
 * nothing falls between the read and the pushes. One reader per room: while its log is read, the
 * pushes that arrive are held and applied after the read, in order (those the read brought already
 * are skipped by the room), so a busy room costs one read, not one per push that raced it.
 * One attachment per connected life of the link. Pushes arrive on the client's event loop: the
 * listener must not block. A subscription or read that fails goes to the attachment's {@code failed},
 * which judges the link; if the link stays (Redis was only slow), the next {@link #tidy} subscribes
 * or reads again, so a room is never left unfollowed on a link that lives.
 */
final class RoomFeed {

    private static final Logger LOG = Logger.getLogger(RoomFeed.class.getName());
    /** Log entries one read brings at most; a longer backlog is read page after page. */
    static final int PAGE = 1000;
    /** Pushes held while a room's log is read, at most; past it they are dropped, and read from the log after. */
    static final int HELD = 10_000;

    private final RoomLogListener listener;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    /** The current attachment's subscriptions, each completing when Redis confirmed it. Guarded by this. */
    private final Map<String, CompletionStage<Void>> subscribed = new HashMap<>();
    /** The current attachment's subscription to calls to users; null until made, or after it failed. Guarded by this. */
    private CompletionStage<Void> calls;
    private volatile Attachment attachment;

    /**
     * One connected life: its connections (pushes come on one, logs are read on another), where a
     * failed read goes, and each followed room's reader.
     */
    private record Attachment(RedisConnections redis, Consumer<Throwable> failed, Map<String, Reader> readers) {

        Reader reader(String room) {
            return readers.computeIfAbsent(room, key -> new Reader());
        }
    }

    /** Whether a room's log is being read, and the pushes that arrived meanwhile. Guarded by itself. */
    private static final class Reader {
        boolean reading;
        /** Pushes were dropped while reading ({@link #HELD}): read the log once more after. */
        boolean again;
        List<RoomEntry> held = new ArrayList<>();
    }

    RoomFeed(RoomLogListener listener) {
        this.listener = listener;
    }

    long received() {
        return received.get();
    }

    long lagMillis() {
        return lagMillis.get();
    }

    /** Reads of a room's log (pages) since the node started. */
    long reads() {
        return reads.get();
    }

    /**
     * Starts taking pushes and reading logs on these connections, for every room the node follows;
     * a read that fails goes to {@code failed}.
     */
    synchronized void attach(RedisConnections redis, Consumer<Throwable> failed) {
        Attachment fresh = new Attachment(redis, failed, new ConcurrentHashMap<>());
        redis.pushes().addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
                if (attachment != fresh) {
                    return;
                }
                if (channel.equals(RedisKeys.USER_CALLS)) {
                    called(message);
                } else {
                    pushed(fresh, RedisKeys.roomOfLive(channel), message);
                }
            }
        });
        subscribed.clear();
        attachment = fresh;
        subscribeToCalls(fresh);
        listener.followed().forEach(this::follow);
    }

    /** Subscribes to calls to users; a failure lets the next {@link #tidy} try again. */
    private void subscribeToCalls(Attachment current) {
        CompletionStage<Void> stage = current.redis().subscribe(RedisKeys.USER_CALLS);
        calls = stage;
        stage.whenComplete((ok, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    if (calls == stage) {
                        calls = null;
                    }
                }
                current.failed().accept(failure);
            }
        });
    }

    /** Stops taking anything from the current connections (they are going). */
    synchronized void detach() {
        attachment = null;
        subscribed.clear();
        calls = null;
    }

    /**
     * Follows the room from its position on: subscribes to it if not yet, then, once Redis has
     * confirmed that, reads its log from the position.
     */
    synchronized void follow(String room) {
        Attachment current = attachment;
        if (current == null) {
            return;
        }
        CompletionStage<Void> stage = subscribed.computeIfAbsent(room, key -> current.redis().subscribe(RedisKeys.live(key)));
        stage.whenComplete((ok, failure) -> {
            if (failure == null) {
                read(current, room);
            } else {
                // Forgotten, so that the next tidy subscribes again if the link stays.
                synchronized (this) {
                    subscribed.remove(room, stage);
                }
                current.failed().accept(failure);
            }
        });
    }

    /**
     * Unsubscribes from the rooms the node no longer follows, subscribes again where a subscription
     * failed, and reads again the rooms whose last read failed or left pushes waiting. A room
     * followed again in the meantime is subscribed to afresh: {@link #follow} runs after the room is
     * followed, under this lock.
     */
    synchronized void tidy() {
        Attachment current = attachment;
        if (current == null) {
            return;
        }
        if (calls == null) {
            subscribeToCalls(current);
        }
        for (String room : listener.followed()) {
            if (!subscribed.containsKey(room)) {
                follow(room);
            }
        }
        subscribed.keySet().removeIf(room -> {
            if (listener.position(room) != null) {
                return false;
            }
            current.redis().unsubscribe(RedisKeys.live(room));
            current.readers().remove(room);
            return true;
        });
        current.readers().forEach((room, reader) -> {
            boolean stalled;
            synchronized (reader) {
                stalled = !reader.reading && (reader.again || !reader.held.isEmpty());
            }
            if (stalled) {
                read(current, room);
            }
        });
    }

    private void called(String message) {
        try {
            listener.addressed(UserCallJson.read(message));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A call to a user that could not be carried out, ignored: " + message, e);
        }
    }

    private void pushed(Attachment current, String room, String message) {
        RoomEntry entry;
        try {
            entry = RoomEntry.pushed(message);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Room " + room + ": a push that is not an entry, ignored: " + message, e);
            return;
        }
        if (entry == null || held(current.reader(room), entry) || handOver(room, List.of(entry))) {
            return;
        }
        read(current, room, entry);
    }

    /** Holds the push if the room's log is being read: the read applies it after. */
    private static boolean held(Reader reader, RoomEntry entry) {
        synchronized (reader) {
            if (!reader.reading) {
                return false;
            }
            hold(reader, entry);
            return true;
        }
    }

    /** Holds the push for after the running read, or, past {@link #HELD}, drops what is held and reads once more. */
    private static void hold(Reader reader, RoomEntry entry) {
        if (reader.held.size() < HELD) {
            reader.held.add(entry);
        } else {
            reader.held.clear();
            reader.again = true;
        }
    }

    /** Reads the room's log after its position and hands it over, unless a read of it is running (that one goes on). */
    private void read(Attachment current, String room) {
        read(current, room, null);
    }

    /**
     * As {@link #read(Attachment, String)}, for a push that did not follow: held if a read is
     * running already, since that read may have been sent before the push's entry was appended.
     */
    private void read(Attachment current, String room, RoomEntry push) {
        Reader reader = current.reader(room);
        synchronized (reader) {
            if (reader.reading) {
                if (push != null) {
                    hold(reader, push);
                }
                return;
            }
            reader.reading = true;
            reader.again = false;
        }
        readPage(current, room, reader);
    }

    private void readPage(Attachment current, String room, Reader reader) {
        String position = listener.position(room);
        if (position == null) {
            finish(reader);
            return;
        }
        reads.incrementAndGet();
        current.redis().async().xrange(RedisKeys.log(room), Range.from(Range.Boundary.excluding(position), Range.Boundary.unbounded()),
                        Limit.from(PAGE))
                .whenComplete((messages, failure) -> {
                    if (failure != null) {
                        // Read again at the next tidy if the link stays: no push may come to start it.
                        synchronized (reader) {
                            reader.reading = false;
                            reader.again = true;
                        }
                        current.failed().accept(failure);
                        return;
                    }
                    List<RoomEntry> entries = new ArrayList<>(messages.size());
                    for (StreamMessage<String, String> message : messages) {
                        RoomEntry entry = RoomEntry.of(message.getId(), message.getBody());
                        if (entry != null) {
                            entries.add(entry);
                        }
                    }
                    if (!entries.isEmpty()) {
                        handOver(room, entries);
                    }
                    if (messages.size() == PAGE) {
                        readPage(current, room, reader);
                    } else {
                        applyHeld(current, room, reader);
                    }
                });
    }

    /**
     * After a read, applies the pushes held meanwhile, until none is left; a push that still does
     * not follow (or pushes dropped for being too many) starts the next read.
     */
    private void applyHeld(Attachment current, String room, Reader reader) {
        while (true) {
            List<RoomEntry> held;
            synchronized (reader) {
                if (reader.again) {
                    reader.again = false;
                    reader.held.clear();
                    held = null;
                } else if (reader.held.isEmpty()) {
                    reader.reading = false;
                    return;
                } else {
                    held = reader.held;
                    reader.held = new ArrayList<>();
                }
            }
            if (held == null || !handOver(room, held)) {
                readPage(current, room, reader);
                return;
            }
        }
    }

    /** A read that ends without applying held pushes (the room is gone, or Redis failed): the next push or tick reads again. */
    private static void finish(Reader reader) {
        synchronized (reader) {
            reader.reading = false;
        }
    }

    private boolean handOver(String room, List<RoomEntry> entries) {
        received.addAndGet(entries.size());
        RoomEntry last = entries.get(entries.size() - 1);
        if (last.sentAt() > 0) {
            lagMillis.set(Math.max(0, System.currentTimeMillis() - last.sentAt()));
        }
        try {
            return listener.relayed(room, entries);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Relaying room " + room + " failed", e);
            return true;
        }
    }
}
