package dev.chorus.room;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.Resume;
import java.util.function.Consumer;

/**
 * Rooms numbered in this JVM: each room numbers its messages under its own sequence lock and
 * announces joins and leaves itself. An emptied room's history is retained for a while, so that a
 * room recreated soon goes on with the same numbering and clients resume across the gap.
 */
public final class LocalSequence implements Sequence {

    private final Rooms rooms;
    private final ChatSettings settings;
    private final HistoryBudget budget;
    private final RetainedHistories retained;
    private final Clocks clocks;

    public LocalSequence(Rooms rooms, ChatSettings settings, HistoryBudget budget, Clocks clocks) {
        this.rooms = rooms;
        this.settings = settings;
        this.budget = budget;
        this.retained = new RetainedHistories(settings.history().retainedRooms(), budget);
        this.clocks = clocks;
    }

    @Override
    public Member join(String roomName, String name, Resume resume, Peer peer, Consumer<Member> seated) {
        Fanout fanout = rooms.fanout();
        Member member;
        while (true) {
            Room room = rooms.settle(roomName, retired -> new Room(roomName, historyFor(roomName, retired), clocks.wall()));
            member = rooms.newMember(room, peer);
            if (room.admit(member, name, resume, fanout)) {
                break;
            }
        }
        seated.accept(member);
        fanout.complete();
        return member;
    }

    @Override
    public void publish(Member sender, String text) {
        Fanout fanout = rooms.fanout();
        sender.room().deliver(sender, text, fanout);
        fanout.complete();
    }

    @Override
    public void retire(Room room) {
        retained.retain(room.name(), room.history());
    }

    @Override
    public void left(Room room, Member member) {
        // The room announced the leave itself.
    }

    @Override
    public MembersPage members(String roomName, String after, int limit) {
        Room room = rooms.room(roomName);
        return room == null ? null : room.members(after, limit);
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void close() {
        // Nothing outside this JVM.
    }

    private RoomHistory historyFor(String roomName, Room retiredRoom) {
        if (retiredRoom != null) {
            return retiredRoom.history();
        }
        RoomHistory history = retained.reclaim(roomName);
        return history != null ? history
                : new RoomHistory(roomName, settings.history().size(), settings.history().maxChars(), budget);
    }
}
