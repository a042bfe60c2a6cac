package dev.chorus.chat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The members of one room under a read/write lock. Admitting and discharging members take the
 * write lock; handing a frame to every member takes the read lock, so broadcasts in one room run
 * in parallel with each other and wait only for joins and leaves.
 * <p>
 * A room that becomes empty is retired for good: it admits nobody any more, and whoever finds it
 * retired asks the registry for a fresh one. Without that, a join racing the removal of an empty
 * room could land in a room that is no longer reachable.
 */
final class Room {

    private final String name;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<Member> members = new HashSet<>();
    private boolean retired;

    Room(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Adds the member; false if this room is retired and the caller must find a fresh one. */
    boolean admit(Member member) {
        lock.writeLock().lock();
        try {
            if (retired) {
                return false;
            }
            members.add(member);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes the member; true if that left the room empty, which retires it. */
    boolean discharge(Member member) {
        lock.writeLock().lock();
        try {
            if (!members.remove(member) || !members.isEmpty()) {
                return false;
            }
            retired = true;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Queues the frame for every member but the sender. Only non-blocking queue work happens
     * under the read lock. Returns the members that took the frame, whose outboxes the caller
     * flushes, and adds to {@code refused} those whose outbox would not take it, whom the caller
     * evicts: both after this returns, because eviction takes the write lock and a read lock can
     * never be upgraded to it (trying deadlocks).
     */
    List<Member> deliver(Member sender, String frame, List<Member> refused) {
        lock.readLock().lock();
        try {
            if (!members.contains(sender)) {
                return List.of();
            }
            List<Member> accepted = new ArrayList<>(members.size());
            for (Member member : members) {
                if (member == sender) {
                    continue;
                }
                if (member.outbox().enqueue(frame)) {
                    accepted.add(member);
                } else {
                    refused.add(member);
                }
            }
            return accepted;
        } finally {
            lock.readLock().unlock();
        }
    }

    void addMembersTo(List<Member> everyone) {
        lock.readLock().lock();
        try {
            everyone.addAll(members);
        } finally {
            lock.readLock().unlock();
        }
    }

    int size() {
        lock.readLock().lock();
        try {
            return members.size();
        } finally {
            lock.readLock().unlock();
        }
    }
}
