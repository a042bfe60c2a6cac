package dev.chorus.cluster;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings a node the entries of the rooms it follows: each as it is appended, pushed on the room's
 * shard channel ({@code SSUBSCRIBE}), and, where a push does not follow what the room applied last
 * (it subscribed after the room's backlog was read, or a push went missing), the log from where the
 * room stands ({@code XRANGE}). A room read from the log is subscribed to first, so that nothing
 * falls between the read and the pushes; a pushed entry the read brought already is skipped by
 * the room. One attachment per connected life of the link. Pushes arrive on the client's event
 * loop: the listener must not block.
 */
final class RoomFeed {

    private static final Logger LOG = Logger.getLogger(RoomFeed.class.getName());

    private final RoomLogListener listener;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    /** The current attachment's subscriptions, each completing when Redis confirmed it. Guarded by this. */
    private final Map<String, CompletionStage<Void>> subscribed = new HashMap<>();
    private volatile Attachment attachment;

    /** One connected life: its connections (pushes come on one, logs are read on another), and where a failure goes. */
    private record Attachment(RedisConnections redis, Consumer<Throwable> failed) {
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

    /**
     * Starts taking pushes and reading logs on these connections, for every room the node follows;
     * a read that fails goes to {@code failed}.
     */
    synchronized void attach(RedisConnections redis, Consumer<Throwable> failed) {
        Attachment fresh = new Attachment(redis, failed);
        redis.pushes().addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
                if (attachment != fresh) {
                    return;
                }
                if (channel.equals(RedisKeys.USER_CALLS)) {
                    called(message);
                } else {
                    pushed(RedisKeys.roomOfLive(channel), message);
                }
            }
        });
        subscribed.clear();
        attachment = fresh;
        redis.subscribe(RedisKeys.USER_CALLS).whenComplete((ok, failure) -> {
            if (failure != null) {
                fresh.failed().accept(failure);
            }
        });
        listener.followed().forEach(this::follow);
    }

    /** Stops taking anything from the current connections (they are going). */
    synchronized void detach() {
        attachment = null;
        subscribed.clear();
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
        subscribed.computeIfAbsent(room, key -> current.redis().subscribe(RedisKeys.live(key)))
                .whenComplete((ok, failure) -> {
                    if (failure == null) {
                        catchUp(current, room);
                    } else {
                        current.failed().accept(failure);
                    }
                });
    }

    /**
     * Unsubscribes from the rooms the node no longer follows. A room followed again in the meantime
     * is subscribed to afresh: {@link #follow} runs after the room is followed, under this lock.
     */
    synchronized void tidy() {
        Attachment current = attachment;
        if (current == null) {
            return;
        }
        subscribed.keySet().removeIf(room -> {
            if (listener.position(room) != null) {
                return false;
            }
            current.redis().unsubscribe(RedisKeys.live(room));
            return true;
        });
    }

    private void called(String message) {
        try {
            listener.addressed(UserCallJson.read(message));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A call to a user that could not be carried out, ignored: " + message, e);
        }
    }

    private void pushed(String room, String message) {
        RoomEntry entry;
        try {
            entry = RoomEntry.pushed(message);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Room " + room + ": a push that is not an entry, ignored: " + message, e);
            return;
        }
        if (entry != null && !handOver(room, List.of(entry))) {
            Attachment current = attachment;
            if (current != null) {
                catchUp(current, room);
            }
        }
    }

    /** Reads the room's log after the room's position and hands it over. */
    private void catchUp(Attachment current, String room) {
        String position = listener.position(room);
        if (position == null) {
            return;
        }
        current.redis().async().xrange(RedisKeys.log(room), Range.from(Range.Boundary.excluding(position), Range.Boundary.unbounded()))
                .whenComplete((messages, failure) -> {
                    if (failure != null) {
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
                });
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
