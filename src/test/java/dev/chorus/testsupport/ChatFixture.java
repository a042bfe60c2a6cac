package dev.chorus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.api.Policies;
import dev.chorus.api.RoomEventsOut;
import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.edge.Connections;
import dev.chorus.edge.Heartbeat;
import dev.chorus.edge.UnansweredCloses;
import dev.chorus.handshake.ConnectionQuota;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.SendLanes;
import dev.chorus.protocol.Resume;
import dev.chorus.room.Member;
import dev.chorus.room.Rooms;
import jakarta.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A rooms on fake peers, with clocks the test moves by hand (nothing waits for time to pass),
 * and the beans around it built on the same settings, metrics and clocks.
 */
public final class ChatFixture implements AfterEachCallback {

    public static final Instant NOW = Instant.parse("2026-11-25T09:19:07.123Z");
    public static final Resume FRESH = Resume.FRESH;

    /** Runs the completions of asynchronous fake peers. */
    public final ExecutorService completions = Executors.newFixedThreadPool(2);
    public final ChatMetrics metrics = new ChatMetrics();
    /** The monotonic time the beans read; tests move it by hand. */
    public long nanos;
    public final Clocks clocks = new Clocks(Clock.fixed(NOW, ZoneOffset.UTC), () -> nanos);
    public ChatSettings settings;
    public Rooms rooms;

    public ChatFixture(ChatSettings settings) {
        configure(settings);
    }

    /** Starts over with a fresh rooms on these settings. */
    public void configure(ChatSettings changed) {
        settings = changed;
        rooms = new Rooms(settings, metrics, clocks);
    }

    public Connections connections() {
        return connections(Policies.NONE);
    }

    /** Connections that ask the application's policy. */
    public Connections connections(Policies policies) {
        return new Connections(rooms, new ConnectionQuota(settings), settings, metrics, clocks, closes(), new SendLanes(), policies, RoomEventsOut.NONE);
    }

    /** A heartbeat whose drops run at once, on the calling thread. */
    public Heartbeat heartbeat() {
        return heartbeat(Runnable::run);
    }

    /** A heartbeat whose drops are handed to {@code tasks}. */
    public Heartbeat heartbeat(Executor tasks) {
        return new Heartbeat(rooms, settings, metrics, clocks, closes()).dropOn(tasks);
    }

    public UnansweredCloses closes() {
        return new UnansweredCloses(settings, metrics, clocks);
    }

    public Member join(String room, FakePeer peer) {
        return rooms.join(room, peer.name(), FRESH, peer);
    }

    /** Joins a sender to the room and has it say m1 to m{count}. */
    public void talk(String room, int count) {
        Member sender = join(room, FakePeer.inline("sender"));
        for (int i = 1; i <= count; i++) {
            rooms.publish(sender, "m" + i);
        }
    }

    public static List<Integer> historyIds(JsonObject welcome) {
        return welcome.getJsonArray("history").getValuesAs(JsonObject.class).stream().map(m -> m.getInt("id")).toList();
    }

    public static JsonObject only(FakePeer peer, String type) {
        List<JsonObject> events = peer.events(type);
        assertEquals(1, events.size(), peer + " got " + peer.events());
        return events.get(0);
    }

    /** Registered as an extension, it stops the completion threads after each test. */
    @Override
    public void afterEach(ExtensionContext test) {
        completions.shutdownNow();
    }
}
