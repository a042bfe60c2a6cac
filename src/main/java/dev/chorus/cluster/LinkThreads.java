package dev.chorus.cluster;

import java.util.concurrent.ThreadFactory;

/**
 * The threads of the Redis link's own jobs (its tick, its fence, the sweep of dead nodes): daemon
 * threads of the given name, so that none keeps a JVM alive, and each is found by name in a dump.
 */
final class LinkThreads {

    private LinkThreads() {
    }

    /** A factory of daemon threads named {@code name}. */
    static ThreadFactory named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
