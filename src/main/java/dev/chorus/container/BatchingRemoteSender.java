package dev.chorus.container;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends through the session's async remote, and a backlog through the standard batching API
 * ({@link RemoteEndpoint#setBatchingAllowed}, {@link RemoteEndpoint#flushBatch}). Undertow
 * (WildFly) honours it: while batching is allowed its channel queues frames without writing them
 * ({@code setRequireExplicitFlush}), and the flush writes every queued frame in one gathering
 * write, where each send alone is a write of its own. Used only where that is known; Tyrus has
 * {@link TyrusFramedSender}.
 * <p>
 * Batching is turned off again before the flush, so that a frame the container queues itself
 * meanwhile (a pong, a close) is flushed with the run or on its own, never left waiting.
 */
final class BatchingRemoteSender implements TextSender {

    private final RemoteEndpoint.Async remote;

    BatchingRemoteSender(RemoteEndpoint.Async remote) {
        this.remote = remote;
    }

    @Override
    public void send(String text, SendHandler done) {
        remote.sendText(text, done);
    }

    @Override
    public boolean writesRuns() {
        return true;
    }

    /**
     * The frames in order, in one write where the container batches; {@code done} hears of the
     * last one, or of the first that failed.
     */
    @Override
    public void sendRun(List<String> texts, SendHandler done) {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        SendHandler earlier = result -> {
            if (!result.isOK()) {
                failed.compareAndSet(null, result.getException());
            }
        };
        int last = texts.size() - 1;
        try {
            remote.setBatchingAllowed(true);
            try {
                for (int i = 0; i < last; i++) {
                    remote.sendText(texts.get(i), earlier);
                }
                remote.sendText(texts.get(last), result -> {
                    Throwable first = failed.get();
                    done.onResult(first == null ? result : new SendResult(first));
                });
            } finally {
                remote.setBatchingAllowed(false);
            }
            remote.flushBatch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
