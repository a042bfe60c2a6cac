package dev.chorus.room;

import java.util.List;

/**
 * One page of a room's members, by name.
 *
 * @param count how many members the room has
 * @param names this page's names, in order
 * @param next the name the following page starts after, or null on the last page
 */
public record MembersPage(int count, List<String> names, String next) {

    /** The page of at most {@code limit} names, from one more name than that if there are more. */
    public static MembersPage of(int count, List<String> upToOneMore, int limit) {
        boolean more = upToOneMore.size() > limit;
        List<String> shown = more ? upToOneMore.subList(0, limit) : upToOneMore;
        return new MembersPage(count, shown, more ? shown.get(shown.size() - 1) : null);
    }
}
