package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import jakarta.websocket.CloseReason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.spi.Connection;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.WebSocketEngine;
import org.glassfish.tyrus.spi.Writer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The handler against a container that behaves as Payara's does: it calls the read listener on
 * the registering thread when data is already there. Tyrus's own handler never returns from its
 * set-up then; this one must, and must read on a reader thread, never the container's.
 */
class DetachedReadHandlerTest {

    private static final Duration NOT_HUNG = Duration.ofSeconds(5);

    private final ExecutorService readers = Executors.newSingleThreadExecutor(r -> new Thread(r, "reader"));
    private final Workarounds workarounds = new Workarounds();
    /** The bytes Tyrus handed on, and the thread it read them on. */
    private final CompletableFuture<String> readOn = new CompletableFuture<>();
    private final StringBuilder read = new StringBuilder();
    /** How Tyrus's connection was closed through the handler, if it was. */
    private final CompletableFuture<CloseReason> closedWith = new CompletableFuture<>();

    @AfterEach
    void stopReaders() throws InterruptedException {
        readers.shutdownNow();
        readers.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aFrameAlreadyThereAtSetUpIsReadAfterSetUpOnAReaderThread() throws Exception {
        DetachedReadHandler handler = handler();
        ContainerInput input = new ContainerInput("first frame");

        assertTimeoutPreemptively(NOT_HUNG, () -> handler.init(new Upgraded(input)));

        assertEquals("reader", readOn.get(5, TimeUnit.SECONDS));
        assertEquals("first frame", read.toString());
    }

    @Test
    void theContainersCallbackOnlyHandsTheReadOver() throws Exception {
        DetachedReadHandler handler = handler();
        ContainerInput input = new ContainerInput("");
        handler.init(new Upgraded(input));

        input.arrive("later frame");
        handler.onDataAvailable();

        String thread = readOn.get(5, TimeUnit.SECONDS);
        assertEquals("reader", thread);
        assertNotEquals(Thread.currentThread().getName(), thread);
        assertEquals("later frame", read.toString());
    }

    /** RFC 6455 §5.1: the server closes on an unmasked client frame; Tyrus would take it as a message. */
    @Test
    void anUnmaskedFrameNeverReachesTyrusAndClosesWith1002() throws Exception {
        DetachedReadHandler handler = handler();
        handler.checkFrames(1000);

        handler.init(new Upgraded(new ContainerInput(new byte[] {(byte) 0x81, 5, 'h', 'e', 'l', 'l', 'o'})));

        assertEquals(CloseReason.CloseCodes.PROTOCOL_ERROR, closedWith.get(5, TimeUnit.SECONDS).getCloseCode());
        assertEquals("", read.toString(), "nothing of the frame reached Tyrus");
    }

    /** A header announcing more than the limit closes with 1009 before any of its payload is read. */
    @Test
    void aFrameAnnouncingMoreThanTheLimitClosesWith1009AtItsHeader() throws Exception {
        DetachedReadHandler handler = handler();
        handler.checkFrames(1000);

        handler.init(new Upgraded(new ContainerInput(new byte[] {(byte) 0x81, (byte) 0xFE, 0x04, 0x00, 0, 0, 0, 0, 'x'})));

        assertEquals(CloseReason.CloseCodes.TOO_BIG, closedWith.get(5, TimeUnit.SECONDS).getCloseCode());
        assertEquals("", read.toString());
    }

    /** Payara's request keeps its upgrade handler when recycled; a closed handler takes itself out. */
    @Test
    void aClosedHandlerLeavesTheContainersRequest() {
        DetachedReadHandler handler = handler();
        UpgradedRequest request = new UpgradedRequest();
        request.httpUpgradeHandler = handler;
        handler.init(new PayaraConnection(new ContainerInput(""), request));

        handler.destroy();

        assertNull(request.httpUpgradeHandler);
        assertTrue(workarounds.states().get("payara-request-release").active());
    }

    /** A Payara whose connection or request moved its field: the handler closes as before, and says it could not leave. */
    @Test
    void aConnectionOrRequestLaidOutDifferentlyIsAFallback() {
        DetachedReadHandler withoutRequest = handler();
        withoutRequest.init(new Upgraded(new ContainerInput("")));
        withoutRequest.destroy();
        assertTrue(workarounds.states().get("payara-request-release").why().contains("no field request"));

        Workarounds again = new Workarounds();
        DetachedReadHandler requestWithoutHandler = handler();
        requestWithoutHandler.readOn(readers, again);
        requestWithoutHandler.init(new PayaraConnection(new ContainerInput(""), new Object()));
        requestWithoutHandler.destroy();
        assertFalse(again.states().get("payara-request-release").active());
        assertTrue(again.states().get("payara-request-release").why().contains("no field httpUpgradeHandler"));
    }

    private DetachedReadHandler handler() {
        DetachedReadHandler handler = new DetachedReadHandler();
        handler.readOn(readers, workarounds);
        ReadHandler frames = buffer -> {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            read.append(new String(bytes, StandardCharsets.UTF_8));
            readOn.complete(Thread.currentThread().getName());
        };
        handler.preInit(new WebSocketEngine.UpgradeInfo() {
            @Override
            public WebSocketEngine.UpgradeStatus getStatus() {
                return WebSocketEngine.UpgradeStatus.SUCCESS;
            }

            @Override
            public Connection createConnection(Writer writer, Connection.CloseListener closeListener) {
                return new Connection() {
                    @Override
                    public ReadHandler getReadHandler() {
                        return frames;
                    }

                    @Override
                    public Writer getWriter() {
                        return writer;
                    }

                    @Override
                    public CloseListener getCloseListener() {
                        return closeListener;
                    }

                    @Override
                    public void close(CloseReason reason) {
                        closedWith.complete(reason);
                    }
                };
            }
        }, null, false);
        return handler;
    }

    /** Payara's way: a listener registered while data waits is called at once, on the same thread. */
    private static final class ContainerInput extends ServletInputStream {

        private ByteArrayInputStream bytes;

        ContainerInput(String waiting) {
            arrive(waiting);
        }

        ContainerInput(byte[] waiting) {
            bytes = new ByteArrayInputStream(waiting);
        }

        void arrive(String data) {
            bytes = new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void setReadListener(ReadListener listener) {
            if (isReady()) {
                try {
                    listener.onDataAvailable();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }

        @Override
        public boolean isReady() {
            return bytes.available() > 0;
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public int available() {
            return bytes.available();
        }

        @Override
        public int read() {
            return bytes.read();
        }
    }

    /** Stands for Payara's request: what it keeps of an upgrade. */
    private static final class UpgradedRequest {
        HttpUpgradeHandler httpUpgradeHandler;
    }

    /** Stands for Payara's {@code WebConnectionImpl}: the connection, with the request that upgraded. */
    private static final class PayaraConnection implements WebConnection {

        private final Upgraded upgraded;
        @SuppressWarnings("unused") // Read by the handler, as Payara's field.
        private final Object request;

        PayaraConnection(ServletInputStream input, Object request) {
            this.upgraded = new Upgraded(input);
            this.request = request;
        }

        @Override
        public ServletInputStream getInputStream() {
            return upgraded.getInputStream();
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return upgraded.getOutputStream();
        }

        @Override
        public void close() {
        }
    }

    private record Upgraded(ServletInputStream input) implements WebConnection {
        @Override
        public ServletInputStream getInputStream() {
            return input;
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return new ServletOutputStream() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                }

                @Override
                public void write(int b) {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
