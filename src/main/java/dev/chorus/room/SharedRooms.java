package dev.chorus.room;

import dev.chorus.cluster.Backlog;
import dev.chorus.cluster.NamesPage;
import dev.chorus.cluster.RedisRooms;
import dev.chorus.cluster.RoomEntry;
import dev.chorus.cluster.RoomLogListener;
import dev.chorus.cluster.Ticket;
import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.Resume;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Logger;

/**
 * This node's part in rooms that span a cluster ({@code chorus.cluster.redis-uri}): joins, messages
 * and leaves go to Redis ({@link RedisRooms}), which orders and numbers them in each room's log, and
 * the node applies the log to its own members ({@link Room#relay}). The registry's rooms map holds
 * this node's rooms either way; here is only what differs in a cluster.
 */
final class SharedRooms {

    private static final Logger LOG = Logger.getLogger(SharedRooms.class.getName());

    private final SessionRegistry registry;
    private final ConcurrentMap<String, Room> rooms;
    private final ChatSettings settings;
    private final HistoryBudget budget;
    private final Clocks clocks;
    private final RedisRooms link;

    SharedRooms(SessionRegistry registry, ConcurrentMap<String, Room> rooms, ChatSettings settings, HistoryBudget budget,
            Clocks clocks) {
        this.registry = registry;
        this.rooms = rooms;
        this.settings = settings;
        this.budget = budget;
        this.clocks = clocks;
        // The log keeps presence besides messages: room for a history's worth of each, and more.
        this.link = new RedisRooms(settings.cluster(), 4 * settings.history().size() + 128, new Relay());
    }

    RedisRooms link() {
        return link;
    }

    /**
     * Joins through Redis: the name is made unique across the cluster and the join goes in the
     * room's log; a room new to this node starts from the log's backlog, read before the join so
     * that everything between the two reaches the newcomer from the log. Throws
     * {@link RedisRooms.Unavailable} if Redis cannot be reached, having joined nobody.
     */
    Member join(String roomName, String name, Resume resume, Peer peer) {
        Room known = rooms.get(roomName);
        Room fresh = known == null || known.isRetired() ? follow(roomName) : null;
        try {
            Ticket ticket = link.join(roomName, name, Room.MEMBERS_PAGE);
            Fanout fanout = new Fanout();
            boolean followed = false;
            Member member;
            try {
                while (true) {
                    Room room = rooms.get(roomName);
                    if (room == null || room.isRetired()) {
                        Room candidate = fresh != null ? fresh : follow(roomName);
                        fresh = null;
                        room = rooms.compute(roomName, (key, found) -> found != null && !found.isRetired() ? found : candidate);
                        if (room == candidate) {
                            followed = true;
                        } else {
                            candidate.history().discard();
                        }
                    }
                    member = registry.newMember(room, peer);
                    if (room.admit(member, ticket, resume, fanout)) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                link.leave(roomName, ticket.name());
                throw e;
            }
            peer.joined(member);
            registry.complete(fanout);
            if (followed) {
                link.follow(roomName);
            }
            return member;
        } finally {
            // A room read back for nothing (another join created it first, or Redis failed): its
            // history gives its characters back to the budget.
            if (fresh != null) {
                fresh.history().discard();
            }
        }
    }

    /** A room of the cluster that goes on from its backlog in Redis: its numbering, its last messages, its log position. */
    private Room follow(String roomName) {
        Backlog backlog = link.backlog(roomName, settings.history().size());
        RoomHistory history = new RoomHistory(roomName, settings.history().size(), settings.history().maxChars(),
                budget, backlog.epoch(), backlog.lastId() + 1);
        backlog.messages().forEach(entry -> LogDelivery.keep(roomName, entry, history));
        return new Room(roomName, history, clocks.wall(), backlog.position());
    }

    /** One page of the room's names across the cluster, or null if nobody is in it anywhere. */
    MembersPage members(String roomName, String after, int pageSize) {
        NamesPage page = link.names(roomName, after, pageSize + 1);
        return page.count() == 0 ? null : MembersPage.of(page.count(), page.names(), pageSize);
    }

    /**
     * Hands the text to Redis, which numbers it into the room's log; the room delivers it (and the
     * ack) when this node reads it back. Messages of one sender keep their order: they travel one
     * connection, in order. A message Redis did not take is refused to its sender.
     */
    void say(Member sender, String text) {
        Room room = sender.joined();
        if (room.member(sender.name()) != sender) {
            return;
        }
        try {
            link.say(room.name(), sender.name(), text, clocks.wall().millis()).whenComplete((id, failure) -> {
                if (failure != null) {
                    registry.refuse(sender, "unavailable", "the message was not sent: the cluster's Redis did not take it");
                }
            });
        } catch (RedisRooms.Unavailable e) {
            registry.refuse(sender, "unavailable", "the message was not sent: the cluster's Redis is not reached");
        }
    }

    /** What the link to Redis asks of this node's rooms, and hands them. */
    private final class Relay implements RoomLogListener {

        @Override
        public Set<String> followed() {
            Set<String> followed = new HashSet<>();
            rooms.forEach((name, room) -> {
                if (!room.isRetired()) {
                    followed.add(name);
                }
            });
            return followed;
        }

        @Override
        public String position(String roomName) {
            Room room = rooms.get(roomName);
            return room == null || room.isRetired() ? null : room.position();
        }

        @Override
        public boolean relayed(String roomName, List<RoomEntry> entries) {
            Room room = rooms.get(roomName);
            if (room == null) {
                return true;
            }
            Fanout fanout = new Fanout();
            Room.Relayed relayed = room.relay(entries, fanout);
            registry.complete(fanout);
            if (relayed == Room.Relayed.RENUMBERED) {
                LOG.warning(() -> "Room " + roomName + " is numbered anew in Redis (it lost the room); its members"
                        + " here are told to reconnect and resume");
                room.members().forEach(member -> registry.dismiss(member, CloseReasons.RECONNECT));
            }
            return relayed != Room.Relayed.AHEAD;
        }

        @Override
        public void lost() {
            registry.everyone().forEach(member -> registry.dismiss(member, CloseReasons.RECONNECT));
        }
    }
}
