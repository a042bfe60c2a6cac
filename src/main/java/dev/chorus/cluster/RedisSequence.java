package dev.chorus.cluster;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.outbound.Peer;
import dev.chorus.protocol.ChatMessage;
import dev.chorus.protocol.CloseReasons;
import dev.chorus.protocol.Resume;
import dev.chorus.protocol.ServerEvents;
import dev.chorus.room.Fanout;
import dev.chorus.room.HistoryBudget;
import dev.chorus.room.HistoryPage;
import dev.chorus.room.Member;
import dev.chorus.room.MembersPage;
import dev.chorus.room.Published;
import dev.chorus.room.Room;
import dev.chorus.room.RoomHistory;
import dev.chorus.room.Rooms;
import dev.chorus.room.Sequence;
import dev.chorus.room.Ticket;
import dev.chorus.room.UserCall;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Rooms that span a cluster ({@code chorus.cluster.redis-uri}): joins, messages and leaves go to
 * Redis ({@link RedisLink}), which orders and numbers them in each room's log, and the node applies
 * the log to its own members ({@link LogDelivery}) under each room's locks ({@link Room#inOrder}).
 */
public final class RedisSequence implements Sequence {

    private static final Logger LOG = Logger.getLogger(RedisSequence.class.getName());

    private final Rooms rooms;
    private final ChatSettings settings;
    private final HistoryBudget budget;
    private final Clocks clocks;
    private final RedisLink link;
    /** Backlog reads in flight, by room: joins that find a room new here at once share one. */
    private final Map<String, CompletableFuture<Backlog>> backlogs = new ConcurrentHashMap<>();

    public RedisSequence(Rooms rooms, ChatSettings settings, Clocks clocks) {
        this.rooms = rooms;
        this.settings = settings;
        this.budget = rooms.historyBudget();
        this.clocks = clocks;
        // The log keeps presence besides messages: room for a history's worth of each, and more.
        this.link = new RedisLink(settings.cluster(), 4 * settings.history().size() + 128, new Relay());
    }

    /** The node's link to Redis. */
    public RedisLink link() {
        return link;
    }

    /**
     * Joins through Redis: the name is made unique across the cluster and the join goes in the
     * room's log; a room new to this node starts from the log's backlog, read before the join so
     * that everything between the two reaches the newcomer from the log.
     */
    @Override
    public Member join(String roomName, String name, Resume resume, Peer peer, Consumer<Member> seated) {
        Room fresh = rooms.room(roomName) == null ? follow(roomName) : null;
        try {
            Ticket ticket = link.join(roomName, name, Room.MEMBERS_PAGE);
            Fanout fanout = rooms.fanout();
            boolean followed = false;
            Member member;
            try {
                while (true) {
                    Room room = rooms.room(roomName);
                    if (room == null) {
                        Room candidate = fresh != null ? fresh : follow(roomName);
                        fresh = null;
                        room = rooms.settle(roomName, retired -> candidate);
                        if (room == candidate) {
                            followed = true;
                        } else {
                            candidate.history().discard();
                        }
                    }
                    member = rooms.newMember(room, peer);
                    if (room.admit(member, ticket, resume, fanout)) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                link.leave(roomName, ticket.name());
                throw e;
            } finally {
                link.seated(roomName);
            }
            seated.accept(member);
            fanout.complete();
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
        Backlog backlog = backlog(roomName);
        RoomHistory history = new RoomHistory(roomName, settings.history().size(), settings.history().maxChars(),
                budget, backlog.epoch(), backlog.lastId() + 1);
        backlog.messages().forEach(entry -> LogDelivery.keep(roomName, entry, history));
        return new Room(roomName, history, clocks.wall(), backlog.position());
    }

    /**
     * The room's backlog, read once for every join that finds the room new here at the same time
     * (the first of a join wave): each waits for the one read, which Redis ran before any of their
     * joins, as each needs; a read that fails fails them all.
     */
    private Backlog backlog(String roomName) {
        CompletableFuture<Backlog> mine = new CompletableFuture<>();
        CompletableFuture<Backlog> reading = backlogs.putIfAbsent(roomName, mine);
        if (reading != null) {
            try {
                return reading.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException failure ? failure : e;
            }
        }
        try {
            Backlog backlog = link.backlog(roomName, settings.history().size(), false);
            mine.complete(backlog);
            return backlog;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            backlogs.remove(roomName, mine);
        }
    }

    /**
     * Hands the text to Redis, which numbers it into the room's log; the room delivers it (and the
     * ack) when this node reads it back. Messages of one sender keep their order: they travel one
     * connection, in order. A message Redis did not take is refused to its sender.
     */
    @Override
    public void publish(Member sender, String text, Consumer<ChatMessage> accepted) {
        Room room = sender.room();
        if (room.member(sender.name()) != sender) {
            return;
        }
        if (link.isBehind() && !sender.awaitsAnswers()) {
            // Refused at once only where no answer of an earlier message is still to come, which it would overtake.
            link.countRefusedBehind();
            rooms.refuse(sender, "unavailable", "the message was not sent: the cluster's Redis is behind; send it again later");
            return;
        }
        try {
            Instant now = clocks.wall().instant();
            sender.awaitAnswer();
            link.say(room.name(), sender.name(), sender.token(), text, now.toEpochMilli()).whenComplete((id, failure) -> {
                if (failure != null) {
                    sender.answered();
                    rooms.refuse(sender, "unavailable", RedisLink.timedOut(failure)
                            ? "the cluster's Redis did not answer in time: the message may still reach the room"
                            : "the message was not sent: the cluster's Redis did not take it");
                } else {
                    accepted.accept(new ChatMessage(room.name(), id, sender.name(), text, now));
                }
            });
        } catch (Unavailable e) {
            sender.answered();
            rooms.refuse(sender, "unavailable", "the message was not sent: the cluster's Redis is not reached");
        }
    }

    /** Appends to the room's log in Redis, and waits for its id: every node delivers it as it reads it back. */
    @Override
    public Published post(String roomName, String from, String text) {
        Instant now = clocks.wall().instant();
        Posted posted = link.post(roomName, from, text, now.toEpochMilli());
        return new Published(roomName, posted.id(), posted.epoch(), now);
    }

    /** Read from the room's log in Redis, whether or not this node holds members of it. */
    @Override
    public HistoryPage history(String roomName, long since, int limit) {
        Backlog backlog = link.backlog(roomName, settings.history().size(), true);
        return backlog.lastId() == 0 ? null : HistoryPage.of(roomName, backlog.epoch(), backlog.messages(), RoomEntry::id,
                entry -> ServerEvents.message(LogDelivery.message(roomName, entry)), since, limit);
    }

    /** Redis keeps the cluster's history; the next member here reads it back from there. */
    @Override
    public void retire(Room room) {
        room.history().discard();
    }

    /** The leave goes in the room's log, which announces it on every node. */
    @Override
    public void left(Room room, Member member) {
        link.leave(room.name(), member.name());
    }

    @Override
    public MembersPage members(String roomName, String after, int limit) {
        NamesPage page = link.names(roomName, after, limit + 1);
        return page.count() == 0 ? null : MembersPage.of(page.count(), page.names(), limit);
    }

    @Override
    public boolean isReady() {
        return link.isUp();
    }

    @Override
    public void close() {
        link.close();
    }

    /** What the link to Redis asks of this node's rooms, and hands them. */
    @Override
    public OptionalLong address(UserCall call) {
        link.address(call);
        return OptionalLong.empty();
    }

    private final class Relay implements RoomLogListener {

        @Override
        public void addressed(UserCall call) {
            rooms.deliver(call);
        }

        @Override
        public Set<String> followed() {
            Set<String> followed = new HashSet<>();
            rooms.live().forEach(room -> followed.add(room.name()));
            return followed;
        }

        @Override
        public String position(String roomName) {
            Room room = rooms.room(roomName);
            return room == null ? null : room.position();
        }

        @Override
        public boolean relayed(String roomName, List<RoomEntry> entries) {
            Room room = rooms.room(roomName);
            if (room == null) {
                return true;
            }
            Fanout fanout = rooms.fanout();
            LogDelivery.Relayed relayed = room.inOrder(members -> LogDelivery.apply(room, entries, members, fanout));
            fanout.complete();
            if (relayed == LogDelivery.Relayed.RENUMBERED || relayed == LogDelivery.Relayed.SKIPPED) {
                LOG.warning(() -> "Room " + roomName + (relayed == LogDelivery.Relayed.RENUMBERED
                        ? " is numbered anew in Redis (it lost the room)"
                        : "'s log was trimmed past messages this node had not read")
                        + "; its members here are told to reconnect and resume");
                room.members().forEach(member -> rooms.dismiss(member, CloseReasons.RECONNECT));
            }
            return relayed != LogDelivery.Relayed.AHEAD;
        }

        @Override
        public void lost() {
            rooms.everyone().forEach(member -> rooms.dismiss(member, CloseReasons.RECONNECT));
        }
    }
}
