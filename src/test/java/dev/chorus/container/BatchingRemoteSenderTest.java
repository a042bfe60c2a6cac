package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BatchingRemoteSenderTest {

    /**
     * A remote that batches as Undertow does: while batching is allowed, sends wait; the flush
     * writes all that wait in one write, completing each send in order.
     */
    private static final class BatchingRemote {
        final List<List<String>> writes = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        private final List<String> waiting = new ArrayList<>();
        private final List<SendHandler> handlers = new ArrayList<>();
        private boolean batching;
        IOException failSecond;

        RemoteEndpoint.Async proxy() {
            return (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "setBatchingAllowed" -> {
                                batching = (Boolean) args[0];
                                log.add("batching " + batching);
                            }
                            case "sendText" -> {
                                waiting.add((String) args[0]);
                                handlers.add((SendHandler) args[1]);
                                log.add("send " + args[0]);
                                if (!batching) {
                                    flush();
                                }
                            }
                            case "flushBatch" -> {
                                log.add("flush");
                                flush();
                            }
                            default -> throw new UnsupportedOperationException(method.getName());
                        }
                        return null;
                    });
        }

        private void flush() {
            if (waiting.isEmpty()) {
                return;
            }
            writes.add(List.copyOf(waiting));
            for (int i = 0; i < handlers.size(); i++) {
                handlers.get(i).onResult(i == 1 && failSecond != null ? new SendResult(failSecond) : new SendResult());
            }
            waiting.clear();
            handlers.clear();
        }
    }

    private final BatchingRemote remote = new BatchingRemote();
    private final BatchingRemoteSender sender = new BatchingRemoteSender(remote.proxy());

    @Test
    void writesABacklogInOneWriteAndReportsItOnceItIsWritten() {
        AtomicReference<SendResult> done = new AtomicReference<>();

        sender.sendRun(List.of("a", "b", "c"), done::set);

        assertEquals(List.of(List.of("a", "b", "c")), remote.writes);
        assertTrue(done.get().isOK());
        assertEquals(List.of("batching true", "send a", "send b", "send c", "batching false", "flush"), remote.log,
                "batching must be off again before the flush, so nothing the container queues waits behind it");
    }

    @Test
    void reportsTheFirstFailureOfARunEvenWhenItsLastFrameWentOut() {
        remote.failSecond = new IOException("broken pipe");
        AtomicReference<SendResult> done = new AtomicReference<>();

        sender.sendRun(List.of("a", "b", "c"), done::set);

        assertFalse(done.get().isOK());
        assertSame(remote.failSecond, done.get().getException());
    }

    @Test
    void sendsASingleFrameWithoutBatching() {
        AtomicReference<SendResult> done = new AtomicReference<>();

        sender.send("a", done::set);

        assertEquals(List.of(List.of("a")), remote.writes);
        assertEquals(List.of("send a"), remote.log);
        assertNull(done.get().getException());
    }
}
