package dev.chorus.outbound;

import dev.chorus.protocol.CloseReasons;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The outbound queue of one connection. Containers reject or interleave concurrent writes to
 * one socket, so exactly one write is in flight at a time: whoever holds {@code writing} sends,
 * and the completion of a send hands the turn to the next frame. Closing the socket is a write
 * too: it waits for its turn, so no frame is ever sent after the close, nor during it.
 * <p>
 * {@link #offer} never blocks and never touches the network, so a broadcast may call it while
 * it holds a room's read lock. {@link #flush} may send: call it with no lock held.
 * <p>
 * A failed send only marks the outbox, wherever it is reported: containers report it on a thread
 * of their own, Tyrus inline holding the connection's writer monitor, where the failure listener
 * (which takes the member out of its room and writes to the others) and the close must not run. Both
 * run on the executor given for failures; the failed send's turn is never handed back, so nothing is
 * sent in between.
 */
public final class Outbox {

    /** How the outbox ends: with what reason (null: leave the socket to the container), and when. */
    private record Closing(CloseReason reason, boolean afterQueued) { }

    /**
     * Queued like a frame, so that a ping never overlaps a send; recognised by identity, so no
     * text a client sends can ever be taken for it.
     */
    public static final String PING = new String("ping");

    /** A close that stops writing but leaves the socket to the container, which is closing it. */
    private static final Closing STOP_ONLY = new Closing(null, false);

    /** How an outbox that refused a frame over its bounds ends. */
    private static final Closing OVERFLOWED = new Closing(CloseReasons.QUEUE_FULL, false);

    /** How an outbox shed to keep the node within its outbound budget ends. */
    private static final Closing SHED = new Closing(CloseReasons.NODE_QUEUES_FULL, false);

    /** How an outbox whose send failed ends, unless a close came first. */
    private static final Closing FAILED = new Closing(CloseReasons.SEND_FAILED, false);

    /** {@link #sendingSince} when no send is in flight; no System.nanoTime reading is ever this. */
    private static final long IDLE = Long.MIN_VALUE;

    private final Peer peer;
    private final Executor writer;
    /** Whether a backlog goes out as one frame of lines (the client asked for it). */
    private final boolean batching;
    /** Otherwise, whether a backlog goes out in one write of separate frames (the container allows it). */
    private final boolean runs;
    private final FrameQueue frames;
    private final Consumer<Throwable> onFailure;
    /** Where a failed send is reported to {@link #onFailure} and the socket closed. */
    private final Executor failures;
    private final LongSupplier nanoTime;
    /** Where a batch waits for its window, if it does ({@link #holdForBatch}). */
    private final BatchWindow batchWindow;
    /** Set while a batch window is open for this outbox: later frames join it instead of opening another. */
    private final AtomicBoolean holding = new AtomicBoolean();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicReference<Closing> closing = new AtomicReference<>();
    /** Set once the socket has been told to close (or left to the container): nothing more to do. */
    private final AtomicBoolean finished = new AtomicBoolean();
    /**
     * When the send in flight started, in {@code nanoTime} terms, or {@link #IDLE}. The writer
     * writes it and then reads {@link #aborted}; {@link #abort} writes that and then reads this:
     * with both volatile, at least one of them sees the other, so no send starts unseen by an
     * abort that closes the socket.
     */
    private volatile long sendingSince = IDLE;
    /** Set by {@link #abort}: the writer stops at its next step, whatever the close was to wait for. */
    private volatile boolean aborted;

    /**
     * An outbox that holds at most {@code maxFrames} frames and {@code maxChars} characters, reads
     * {@code nanoTime} to tell how long a send has been in flight, and tells {@code onFailure} of a
     * failed send on {@code failures}, then closes the socket there; no node-wide budget.
     */
    public Outbox(Peer peer, int maxFrames, long maxChars, LongSupplier nanoTime, Consumer<Throwable> onFailure,
            Executor failures) {
        this(peer, maxFrames, maxChars, new OutboundBudget(Long.MAX_VALUE), nanoTime, onFailure, failures);
    }

    /**
     * As above, within the node's {@code budget}: an outbox shed for it ends as one that failed
     * ({@code onFailure} on {@code failures}), closing with 1013.
     */
    public Outbox(Peer peer, int maxFrames, long maxChars, OutboundBudget budget, LongSupplier nanoTime,
            Consumer<Throwable> onFailure, Executor failures) {
        this.peer = peer;
        this.writer = peer.writer();
        this.batching = peer.takesBatches();
        this.runs = !batching && peer.writesRuns();
        this.batchWindow = batching ? peer.batchWindow() : null;
        this.frames = new FrameQueue(maxFrames, maxChars, budget, this::shed);
        this.nanoTime = nanoTime;
        this.onFailure = onFailure;
        this.failures = failures;
    }

    /**
     * Queues a frame for sending, unless the frame would take this outbox over its bounds: then
     * the receiver is not keeping up, and the outbox closes at once, in this call. Had it stayed
     * open until the caller evicted the member, the writer could meanwhile drain a frame and take
     * a later, shorter one, and the client would see n-1, n+1 and resume past n, which it never
     * got. An empty outbox takes any frame, however large, because its receiver is not behind.
     * Never blocks and never touches the network.
     */
    public Offer offer(String frame) {
        if (closing.get() != null) {
            return Offer.CLOSED;
        }
        if (!frames.add(frame)) {
            if (!closing.compareAndSet(null, OVERFLOWED)) {
                return Offer.CLOSED;
            }
            frames.clear();
            return Offer.OVERFLOWED;
        }
        Closing how = closing.get();
        if (how != null && !how.afterQueued()) {
            // Closed between the check and the add, maybe after the queue was dropped.
            frames.clear();
        }
        return Offer.ACCEPTED;
    }

    /**
     * Ends this outbox for the node's outbound budget, from another outbox's offer: like an
     * overflow, its queue is dropped and it takes nothing more; its failure listener (the member
     * leaves) and the close (1013) run on the failures executor, since the caller may hold a room's
     * lock. False if it was closing already.
     */
    private boolean shed() {
        if (!closing.compareAndSet(null, SHED)) {
            return false;
        }
        frames.clear();
        Thread caller = Thread.currentThread();
        failures.execute(() -> {
            if (Thread.currentThread() == caller) {
                // An executor that runs work inline (stopped at undeploy, which closes every socket
                // anyway): the caller may hold a room's read lock, and the leave takes write locks.
                return;
            }
            try {
                onFailure.accept(new IOException("shed: the node's outbound queues are full"));
            } finally {
                // Closes the socket once no send is in flight: the writer may be mid-send.
                flush();
            }
        });
        return true;
    }

    /**
     * Holds back this outbox's next send for its {@link Peer#batchWindow}: true if this call
     * opened the window, and the caller then flushes through {@link #batchWindow}'s timer once it
     * passed; false if the peer has no window, or one is open already, whose flush will take
     * whatever was queued before it ends.
     */
    public boolean holdForBatch() {
        return batchWindow != null && holding.compareAndSet(false, true);
    }

    /**
     * Ends the window {@link #holdForBatch} opened: call it before that flush, so that a frame
     * queued after this either goes out with the flush or opens the next window.
     */
    public void releaseBatch() {
        holding.set(false);
    }

    /** The peer's batch window, if it takes batches and the node waits for them; else null. */
    public BatchWindow batchWindow() {
        return batchWindow;
    }

    /** Where the peer's sends are best started, if anywhere in particular ({@link Peer#writer}). */
    public Executor writer() {
        return writer;
    }

    /** Starts sending queued frames unless a send is already under way. */
    public void flush() {
        if (writing.compareAndSet(false, true)) {
            drain();
        }
    }

    /**
     * Takes no more frames and drops the queued ones. With a reason, the socket is closed with it
     * as soon as no send is in flight; without one (the socket is already closing), it is left
     * alone. Only the first close counts.
     */
    public void close(CloseReason reason) {
        end(reason == null ? STOP_ONLY : new Closing(reason, false));
    }

    /**
     * Takes no more frames, sends the queued ones, then closes the socket with the reason: for a
     * client that should learn why (the error events that preceded a policy close, say).
     */
    public void closeAfterQueued(CloseReason reason) {
        end(new Closing(reason, true));
    }

    private void end(Closing how) {
        Closing was = closing.get();
        while (was == null || (how == STOP_ONLY && was.afterQueued())) {
            // The container closing the socket overrides a close that waits to send the queue
            // first: that queue can no longer go out.
            if (closing.compareAndSet(was, how)) {
                break;
            }
            was = closing.get();
        }
        if (!closing.get().afterQueued()) {
            frames.clear();
        }
        // Even when another close came first: an outbox that overflowed in offer(), under a room's lock, waits for this.
        flush();
    }

    /** True once the socket has been closed, or left to the container: this outbox is done. */
    public boolean isFinished() {
        return finished.get();
    }

    /** How long the send in flight has been under way at {@code now}; 0 when none is. */
    public long sendingFor(long now) {
        long since = sendingSince;
        return since == IDLE ? 0 : now - since;
    }

    /**
     * Closes the socket now, even with a send in flight: for a send that never completes (a
     * client that stopped reading), after which the one-writer rule would keep the close waiting
     * forever, and the socket with it. Takes no more frames and drops the queued ones; a close
     * already requested keeps its reason.
     */
    public void abort(CloseReason reason) {
        closing.compareAndSet(null, new Closing(reason, false));
        aborted = true;
        if (writing.compareAndSet(false, true) || sendingSince != IDLE) {
            // Either this thread now holds the turn, or the writer waits for a send that may never
            // complete and, having marked it, checks `aborted` before it sends anything else.
            finish();
            // The close frame waits behind that send, which the client does not read.
            peer.cut();
        }
        // Otherwise the writer is between two sends and sees the close at its next step, or a
        // failed send holds the turn and its task closes.
    }

    /** False once the connection has closed, whether or not the container reported it. */
    public boolean isConnected() {
        return peer.isConnected();
    }

    /** Frames waiting to be sent. */
    public int queued() {
        return frames.depth();
    }

    /**
     * Sends queued frames one after the other; the caller holds {@code writing}. A send that
     * completes inline loops here rather than recursing, so a fast socket cannot grow the stack.
     */
    private void drain() {
        while (true) {
            Closing how = closing.get();
            if (how != null && (!how.afterQueued() || frames.isEmpty() || aborted)) {
                finish();
                return;
            }
            List<String> next = frames.next(runs, batching, PING);
            how = closing.get();
            if (how != null && !how.afterQueued() && !next.isEmpty()) {
                // A close came while we took: its clear() ran beside our take and may have left
                // holes in what we hold, and the client must never see n-1, n+1. Send none of it.
                finish();
                return;
            }
            if (next.isEmpty()) {
                writing.set(false);
                // A frame or a close that arrived after poll() found `writing` taken and left the
                // work to us: take the turn back, unless a concurrent flush or close already has.
                if ((frames.isEmpty() && closing.get() == null) || !writing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            if (next.get(0) == PING) {
                try {
                    peer.ping();
                } catch (IOException | RuntimeException e) {
                    failed(e);
                    return;
                }
                continue;
            }
            Send send = new Send();
            sendingSince = nanoTime.getAsLong();
            if (aborted) {
                // abort() raced this step and may be closing the socket: send nothing after it.
                sendingSince = IDLE;
                finish();
                return;
            }
            try {
                if (next.size() > 1 && batching) {
                    peer.sendLines(next, send);
                } else if (next.size() > 1) {
                    peer.sendRun(next, send);
                } else {
                    peer.send(next.get(0), send);
                }
            } catch (RuntimeException e) {
                sendingSince = IDLE;
                failed(e);
                return;
            }
            if (!send.completedInline() || send.failed) {
                return;
            }
        }
    }

    /**
     * Ends the outbox for good: {@code writing} stays taken, so nothing is ever sent again. Runs
     * once, whether the drain or an abort gets here first.
     */
    private void finish() {
        frames.clear();
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        CloseReason reason = closing.get().reason();
        if (reason != null) {
            peer.close(reason);
        }
    }

    /**
     * Marks the outbox failed, and hands the listener and the close to {@link #failures}; the
     * caller holds the turn and keeps it, so nothing is sent again. The close has the reason of a
     * close that came first, else 1011.
     */
    private void failed(Throwable cause) {
        closing.compareAndSet(null, FAILED);
        // Even a close that was to send the queue first: the socket cannot take it.
        frames.clear();
        failures.execute(() -> {
            try {
                onFailure.accept(cause);
            } finally {
                finish();
            }
        });
    }

    /**
     * Decides who continues the drain after a send: the sending thread, if the send completed
     * before {@code peer.send} returned, or else the thread that runs the completion; nobody, if
     * it failed (the failure's task closes).
     */
    private final class Send implements SendHandler {

        private final AtomicBoolean settled = new AtomicBoolean();
        /** Containers call a handler once, but some error paths call it twice; only the first counts. */
        private final AtomicBoolean reported = new AtomicBoolean();
        /** Set before {@link #settled} when the send failed: then nobody continues the drain. */
        private volatile boolean failed;

        @Override
        public void onResult(SendResult result) {
            if (!reported.compareAndSet(false, true)) {
                return;
            }
            sendingSince = IDLE;
            if (!result.isOK()) {
                failed = true;
                failed(result.getException());
            }
            if (!settled.compareAndSet(false, true) && !failed) {
                drain();
            }
        }

        boolean completedInline() {
            return !settled.compareAndSet(false, true);
        }
    }
}
