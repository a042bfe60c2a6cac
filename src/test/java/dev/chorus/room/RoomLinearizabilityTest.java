package dev.chorus.room;

import dev.chorus.config.ChatSettings;
import dev.chorus.metrics.ChatMetrics;
import dev.chorus.outbound.OutboundBudget;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.Resume;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.time.Clock;
import org.jetbrains.kotlinx.lincheck.LinCheckerKt;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck runs random scenarios of joins, leaves (by name, as the operator endpoint finds and
 * closes a member) and counts on one room from three threads at once, many times, and checks
 * that every outcome is one some one-at-a-time order would give: no two members get one name,
 * a member leaves once, the last one out retires the room and nobody joins a retired room, and
 * a count never sees half a change.
 * <p>
 * Lincheck 2.39 (the newest published) cannot walk objects that hold records, so this checks
 * {@link Room}, where the locks are, rather than the registry, which holds its settings as
 * records; and its model checker fails inside Lincheck on this code, so this is its stress mode.
 */
@Param(name = "who", gen = IntGen.class, conf = "1:3")
public class RoomLinearizabilityTest {

    private static final String ROOM = "lobby";

    private final Room room = new Room(ROOM, new RoomHistory(ROOM, 10, 100_000, new HistoryBudget(100_000)), Clock.systemUTC());

    /** The name the room gave the newcomer, with a {@code #n} suffix if taken; or "retired". */
    @Operation
    public String join(@Param(name = "who") int who) {
        Member member = new Member(room, new SilentPeer(), new SendAllowance(1, 1, 0), new ChatSettings.Outbound(8, 1_000, 10), new OutboundBudget(Long.MAX_VALUE), () -> 0, (m, e) -> { }, Runnable::run);
        return room.admit(member, "user" + who, Resume.FRESH, new Fanout(new ChatMetrics(), (m, reason) -> { })) ? member.name() : "retired";
    }

    @Operation
    public Room.Departure leave(@Param(name = "who") int who) {
        Member member = room.member("user" + who);
        return member == null ? Room.Departure.NOT_A_MEMBER : room.leave(member, new Fanout(new ChatMetrics(), (m, reason) -> { }));
    }

    /** A member's message: the id it was given, or -1 if the member is not in the room. */
    @Operation
    public long say(@Param(name = "who") int who) {
        Member member = room.member("user" + who);
        ChatMessage message = member == null ? null : room.deliver(member, "hi", new Fanout(new ChatMetrics(), (m, reason) -> { }));
        return message == null ? -1 : message.id();
    }

    /** A message the application publishes, numbered in the same sequence: its id, or -1 once the room is retired. */
    @Operation
    public long post() {
        ChatMessage message = room.post("server", "notice", new Fanout(new ChatMetrics(), (m, reason) -> { }));
        return message == null ? -1 : message.id();
    }

    @Operation
    public int members() {
        return room.size();
    }

    @Test
    void parallelRunsAreLinearizable() {
        LinCheckerKt.check(new StressOptions()
                .iterations(30)
                .invocationsPerIteration(2_000)
                .threads(3)
                .actorsPerThread(3), getClass());
    }

    /** A connection that takes every frame at once and reads nothing: the results are the room's. */
    private static final class SilentPeer implements Peer {

        @Override
        public void send(String frame, SendHandler done) {
            done.onResult(new SendResult());
        }

        @Override
        public void ping() {
            // Nothing to answer.
        }

        @Override
        public void close(CloseReason reason) {
            // Nothing to release.
        }
    }
}
