package dev.chorus.cluster;

import dev.chorus.config.ChatSettings;
import dev.chorus.config.Clocks;
import dev.chorus.room.LocalSequence;
import dev.chorus.room.Rooms;
import dev.chorus.room.Sequence;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Starts the sequence of the node's rooms: Redis's when {@code chorus.cluster.redis-uri} is set,
 * so that rooms span the nodes sharing it, else this JVM's. The one place that knows both.
 */
@ApplicationScoped
public class SequenceChoice implements Sequence.Start {

    private final ChatSettings settings;
    private final Clocks clocks;

    @Inject
    public SequenceChoice(ChatSettings settings, Clocks clocks) {
        this.settings = settings;
        this.clocks = clocks;
    }

    /** For the container's client proxy only. */
    protected SequenceChoice() {
        this(ChatSettings.DEFAULTS, Clocks.SYSTEM);
    }

    @Override
    public Sequence of(Rooms rooms) {
        return settings.cluster().enabled()
                ? new RedisSequence(rooms, settings, clocks)
                : new LocalSequence(rooms, settings, rooms.historyBudget(), clocks);
    }
}
