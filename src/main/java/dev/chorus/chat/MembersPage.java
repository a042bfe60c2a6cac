package dev.chorus.chat;

import java.util.List;

/**
 * One page of a room's members, by name.
 *
 * @param count how many members the room has
 * @param names this page's names, in order
 * @param next the name the following page starts after, or null on the last page
 */
public record MembersPage(int count, List<String> names, String next) {
}
