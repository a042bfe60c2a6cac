package dev.chorus.chat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The outbound queue of one connection. Containers reject or interleave concurrent writes to
 * one socket, so exactly one write is in flight at a time: whoever holds {@code writing} sends,
 * and the completion of a send hands the turn to the next frame. Closing the socket is a write
 * too: it waits for its turn, so no frame is ever sent after the close, nor during it.
 * <p>
 * {@link #enqueue} never blocks and never touches the network, so a broadcast may call it while
 * it holds a room's read lock. {@link #flush} may send and, if a send fails at once, call the
 * failure listener, which takes the room's write lock: call it with no lock held.
 */
final class Outbox {

    /** How the outbox ends: with what reason (null: leave the socket to the container), and when. */
    private record Closing(CloseReason reason, boolean afterQueued) {
    }

    /**
     * Queued like a frame, so that a ping never overlaps a send; recognised by identity, so no
     * text a client sends can ever be taken for it.
     */
    static final String PING = new String("ping");

    /** A close that stops writing but leaves the socket to the container, which is closing it. */
    private static final Closing STOP_ONLY = new Closing(null, false);

    /** {@link #sendingSince} when no send is in flight; no System.nanoTime reading is ever this. */
    private static final long IDLE = Long.MIN_VALUE;

    private final Peer peer;
    private final int maxFrames;
    private final long maxChars;
    private final Consumer<Throwable> onFailure;
    private final LongSupplier nanoTime;
    private final Queue<String> frames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicLong chars = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicReference<Closing> closing = new AtomicReference<>();
    /** Set once the socket has been told to close (or left to the container): nothing more to do. */
    private final AtomicBoolean finished = new AtomicBoolean();
    /** When the send in flight started, in {@code nanoTime} terms, or {@link #IDLE}. */
    private volatile long sendingSince = IDLE;

    /**
     * An outbox that holds at most {@code maxFrames} frames and {@code maxChars} characters, and
     * reads {@code nanoTime} to tell how long a send has been in flight.
     */
    Outbox(Peer peer, int maxFrames, long maxChars, LongSupplier nanoTime, Consumer<Throwable> onFailure) {
        this.peer = peer;
        this.maxFrames = maxFrames;
        this.maxChars = maxChars;
        this.nanoTime = nanoTime;
        this.onFailure = onFailure;
    }

    /**
     * Queues a frame for sending. Returns false when this outbox is closed, or when the frame
     * would take it over its bounds: the receiver is not keeping up, and the caller should drop it
     * rather than let its backlog grow without limit. An empty outbox takes any frame, however
     * large (a welcome with a long history), because its receiver is not behind.
     */
    boolean enqueue(String frame) {
        if (closing.get() != null) {
            return false;
        }
        int queued = depth.get();
        if (queued > 0 && (queued >= maxFrames || chars.get() + frame.length() > maxChars)) {
            return false;
        }
        frames.add(frame);
        chars.addAndGet(frame.length());
        depth.incrementAndGet();
        return true;
    }

    /** Starts sending queued frames unless a send is already under way. */
    void flush() {
        if (writing.compareAndSet(false, true)) {
            drain();
        }
    }

    /**
     * Takes no more frames and drops the queued ones. With a reason, the socket is closed with it
     * as soon as no send is in flight; without one (the socket is already closing), it is left
     * alone. Only the first close counts.
     */
    void close(CloseReason reason) {
        end(reason == null ? STOP_ONLY : new Closing(reason, false));
    }

    /**
     * Takes no more frames, sends the queued ones, then closes the socket with the reason: for a
     * client that should learn why (the error events that preceded a policy close, say).
     */
    void closeAfterQueued(CloseReason reason) {
        end(new Closing(reason, true));
    }

    private void end(Closing how) {
        if (!closing.compareAndSet(null, how)) {
            return;
        }
        if (!how.afterQueued()) {
            dropQueued();
        }
        flush();
    }

    boolean isClosed() {
        return closing.get() != null;
    }

    /** True once the socket has been closed, or left to the container: this outbox is done. */
    boolean isFinished() {
        return finished.get();
    }

    /** How long the send in flight has been under way at {@code now}; 0 when none is. */
    long sendingFor(long now) {
        long since = sendingSince;
        return since == IDLE ? 0 : now - since;
    }

    /**
     * Closes the socket now, even with a send in flight: for a send that never completes (a
     * client that stopped reading), after which the one-writer rule would keep the close waiting
     * forever, and the socket with it. Takes no more frames and drops the queued ones; a close
     * already requested keeps its reason.
     */
    void abort(CloseReason reason) {
        closing.compareAndSet(null, new Closing(reason, false));
        finish();
    }

    /** Frames waiting to be sent; a plain counter, since a concurrent queue's size() walks it. */
    int queued() {
        return depth.get();
    }

    private void dropQueued() {
        for (String frame = frames.poll(); frame != null; frame = frames.poll()) {
            taken(frame);
        }
    }

    private void taken(String frame) {
        depth.decrementAndGet();
        chars.addAndGet(-frame.length());
    }

    /**
     * Sends queued frames one after the other; the caller holds {@code writing}. A send that
     * completes inline loops here rather than recursing, so a fast socket cannot grow the stack.
     */
    private void drain() {
        while (true) {
            Closing how = closing.get();
            if (how != null && (!how.afterQueued() || frames.isEmpty())) {
                finish();
                return;
            }
            String frame = frames.poll();
            if (frame == null) {
                writing.set(false);
                // A frame or a close that arrived after poll() found `writing` taken and left the
                // work to us: take the turn back, unless a concurrent flush or close already has.
                if ((frames.isEmpty() && closing.get() == null) || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            taken(frame);
            if (frame == PING) {
                try {
                    peer.ping();
                } catch (IOException | RuntimeException e) {
                    failed(e);
                }
                continue;
            }
            Send send = new Send();
            sendingSince = nanoTime.getAsLong();
            try {
                peer.send(frame, send);
            } catch (RuntimeException e) {
                sendingSince = IDLE;
                failed(e);
                continue;
            }
            if (!send.completedInline()) {
                return;
            }
        }
    }

    /**
     * Ends the outbox for good: {@code writing} stays taken, so nothing is ever sent again. Runs
     * once, whether the drain or an abort gets here first.
     */
    private void finish() {
        dropQueued();
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        CloseReason reason = closing.get().reason();
        if (reason != null) {
            peer.close(reason);
        }
    }

    /** Lets the listener choose how to close (it normally calls {@link #close}), else just stops. */
    private void failed(Throwable cause) {
        onFailure.accept(cause);
        closing.compareAndSet(null, STOP_ONLY);
        // Even a close that was to send the queue first: the socket cannot take it.
        dropQueued();
    }

    /**
     * Decides who continues the drain after a send: the sending thread, if the send completed
     * before {@code peer.send} returned, or else the thread that runs the completion.
     */
    private final class Send implements SendHandler {

        private final AtomicBoolean settled = new AtomicBoolean();

        @Override
        public void onResult(SendResult result) {
            sendingSince = IDLE;
            if (!result.isOK()) {
                failed(result.getException());
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
