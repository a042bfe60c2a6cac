package dev.chorus.protocol;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where a client left a room's conversation: the last message id it saw ({@code ?since=}) and the
 * epoch of the numbering that id belongs to ({@code ?epoch=}, from its welcome). A room's numbering
 * starts again when the server restarts or forgets the room's history; the epoch tells the ids
 * of one numbering from those of the next, so a client whose {@code since} is already past the new
 * ids is told (a gap with {@code reset}) instead of silently missing them.
 *
 * @param since the last id seen, if resuming
 * @param epoch the numbering that id belongs to, if the client knows it
 */
public record Resume(OptionalLong since, Optional<String> epoch) {

    /** A client that saw nothing yet. */
    public static final Resume FRESH = new Resume(OptionalLong.empty(), Optional.empty());

    /** Resuming after this id, of whatever numbering the room has now (an old client's resume). */
    public static Resume after(long since) {
        return new Resume(OptionalLong.of(since), Optional.empty());
    }

    /** Resuming after this id of this numbering. */
    public static Resume after(long since, String epoch) {
        return new Resume(OptionalLong.of(since), Optional.of(epoch));
    }
}
