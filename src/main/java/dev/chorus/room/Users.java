package dev.chorus.room;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The node's members by user, in every room: what a call to one user reaches. A user's set is
 * created and dropped inside the map's own compute, so an add never lands in a set a concurrent
 * remove has just let go of.
 */
final class Users {

    private final ConcurrentMap<String, Set<Member>> byUser = new ConcurrentHashMap<>();

    void add(Member member) {
        byUser.compute(member.user(), (user, members) -> {
            Set<Member> held = members != null ? members : ConcurrentHashMap.newKeySet();
            held.add(member);
            return held;
        });
    }

    void remove(Member member) {
        String user = member.user();
        if (user != null) {
            byUser.computeIfPresent(user, (name, members) -> members.remove(member) && members.isEmpty() ? null : members);
        }
    }

    /** The user's members on this node now, in any order. */
    List<Member> of(String user) {
        Set<Member> members = byUser.get(user);
        return members == null ? List.of() : List.copyOf(members);
    }

    /** How many users have a member on this node. */
    int size() {
        return byUser.size();
    }

    void clear() {
        byUser.clear();
    }
}
