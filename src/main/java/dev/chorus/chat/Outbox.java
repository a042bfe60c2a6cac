package dev.chorus.chat;

import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The outbound queue of one connection. Containers reject or interleave concurrent writes to
 * one socket, so exactly one frame is in flight at a time: whoever holds {@code writing} sends,
 * and the completion of a send hands the turn to the next frame.
 * <p>
 * {@link #enqueue} never blocks and never touches the network, so a broadcast may call it while
 * it holds a room's read lock; {@link #flush} may start a send and, if that send fails at once,
 * call the failure listener, which takes the room's write lock: call it with no lock held.
 */
final class Outbox {

    private final Peer peer;
    private final Consumer<Throwable> onFailure;
    private final Queue<String> frames = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile boolean closed;

    Outbox(Peer peer, Consumer<Throwable> onFailure) {
        this.peer = peer;
        this.onFailure = onFailure;
    }

    /**
     * Queues a frame for sending. Returns false when this outbox takes no more frames, and the
     * caller should drop the connection. This is where a bound on queued messages and bytes, and
     * the slow-consumer policy that goes with it, plug in.
     */
    boolean enqueue(String frame) {
        if (closed) {
            return false;
        }
        frames.add(frame);
        return true;
    }

    /** Starts sending queued frames unless a send is already under way. */
    void flush() {
        if (writing.compareAndSet(false, true)) {
            drain();
        }
    }

    /** Drops queued frames; nothing more is sent, even if a send is still in flight. */
    void close() {
        closed = true;
        frames.clear();
    }

    boolean isClosed() {
        return closed;
    }

    int queued() {
        return frames.size();
    }

    /**
     * Sends queued frames one after the other; the caller holds {@code writing}. A send that
     * completes inline loops here rather than recursing, so a fast socket cannot grow the stack.
     */
    private void drain() {
        while (!closed) {
            String frame = frames.poll();
            if (frame == null) {
                writing.set(false);
                // A frame queued between poll() and set(false) found `writing` taken and left it
                // to us: take the turn back, unless a concurrent flush already has.
                if (frames.isEmpty() || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            Send send = new Send();
            try {
                peer.send(frame, send);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            if (!send.completedInline()) {
                return;
            }
        }
        // Closed: keep `writing` taken so that no later flush writes to this peer again.
    }

    private void fail(Throwable cause) {
        closed = true;
        frames.clear();
        onFailure.accept(cause);
    }

    /**
     * Decides who continues the drain after a send: the sending thread, if the send completed
     * before {@code peer.send} returned, or else the thread that runs the completion.
     */
    private final class Send implements SendHandler {

        private final AtomicBoolean settled = new AtomicBoolean();

        @Override
        public void onResult(SendResult result) {
            if (!result.isOK()) {
                fail(result.getException());
                return;
            }
            if (!settled.compareAndSet(false, true)) {
                drain();
            }
        }

        boolean completedInline() {
            return !settled.compareAndSet(false, true);
        }
    }
}
