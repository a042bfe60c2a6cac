package dev.chorus.chat;

import java.util.function.BiConsumer;

/**
 * One connection's place in one room. Identity is the object itself: the same peer joining
 * twice is two members.
 */
public final class Member {

    private final Room room;
    private final Peer peer;
    private final Outbox outbox;

    Member(Room room, Peer peer, BiConsumer<Member, Throwable> onSendFailure) {
        this.room = room;
        this.peer = peer;
        this.outbox = new Outbox(peer, cause -> onSendFailure.accept(this, cause));
    }

    public String room() {
        return room.name();
    }

    Room joined() {
        return room;
    }

    Outbox outbox() {
        return outbox;
    }

    @Override
    public String toString() {
        return peer + " in " + room.name();
    }
}
