/**
 * Chorus: WebSocket rooms that relay every message to every other member of the room.
 * <p>
 * A message goes down the packages in order: {@code edge} (the container's sessions: admission,
 * inbound checks) → {@code room} (members under each room's lock, one sequence per node) →
 * {@code outbound} (each socket's queue) → the container. Beside them: {@code cluster} (the Redis
 * sequence, for rooms across nodes), {@code protocol} (the wire format), {@code handshake} (checks
 * before the upgrade), {@code config} (settings, clocks), {@code container} (workarounds for
 * container defects), {@code metrics} (counters) and {@code api} (REST, health and metrics).
 * <p>
 * Glossary:
 * <ul>
 * <li><b>member</b>: one connection's place in one room, under a name unique in the room.</li>
 * <li><b>peer</b>: the far end of one connection, as its outbox writes to it (a container session, or a test's fake).</li>
 * <li><b>outbox</b>: one connection's bounded queue of frames, with one write in flight.</li>
 * <li><b>fan-out</b>: what one room operation queued to its members' outboxes, sent once the room's lock is released.</li>
 * <li><b>lane</b>: a thread that writes the backlogs of the connections given to it, where the container writes on the caller's thread (Tyrus).</li>
 * <li><b>sequence</b>: where a node's rooms are put in order and numbered: this JVM, or Redis for a cluster.</li>
 * <li><b>epoch</b>: the identity of a room's numbering; a client resumes by id only within one epoch.</li>
 * <li><b>position</b>: the last entry of a cluster room's log that this node applied.</li>
 * </ul>
 * A member leaves (its client went), is evicted (the server drops it at once: its send failed or
 * its queue overflowed) or is dismissed (the server closes it after what is queued: a policy close).
 */
package dev.chorus;
