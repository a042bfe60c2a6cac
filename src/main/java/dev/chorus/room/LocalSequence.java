package dev.chorus.room;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.Resume;
import java.util.OptionalLong;
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
    public void publish(Member sender, String text, Consumer<ChatMessage> accepted) {
        Fanout fanout = rooms.fanout();
        ChatMessage message = sender.room().deliver(sender, text, fanout);
        fanout.complete();
        if (message != null) {
            accepted.accept(message);
        }
    }

    /**
     * Publishes in the live room, or in one made for it from its retained history (or anew);
     * a room made only for this is retired again at once, its history retained with the message.
     */
    @Override
    public Published post(String roomName, String from, String text) {
        while (true) {
            Room room = rooms.settle(roomName, retired -> new Room(roomName, historyFor(roomName, retired), clocks.wall()));
            Fanout fanout = rooms.fanout();
            ChatMessage message = room.post(from, text, fanout);
            if (message != null) {
                fanout.complete();
                if (room.retireIfEmpty()) {
                    rooms.forget(room);
                }
                return new Published(roomName, message.id(), room.history().epoch(), message.ts());
            }
        }
    }

    @Override
    public HistoryPage history(String roomName, long since, int limit) {
        while (true) {
            Room room = rooms.room(roomName);
            if (room == null) {
                return retained.read(roomName, history -> history.page(since, limit));
            }
            // Under the room's locks, and only while it is not retired: a fresh room may be writing to its history then.
            HistoryPage page = room.inOrder(members -> room.isRetired() ? null : room.history().page(since, limit));
            if (page != null) {
                return page;
            }
        }
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

    @Override
    public OptionalLong address(UserCall call) {
        return OptionalLong.of(rooms.deliver(call));
    }
}
