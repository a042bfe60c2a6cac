package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TyrusFramedSenderTest {

    /** Stands for Tyrus's connection writer: keeps what is written, completes as told. */
    private static final class RecordingWriter extends Writer {
        final List<byte[]> written = new ArrayList<>();
        Throwable failWith;

        @Override
        public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> done) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            written.add(bytes);
            if (failWith == null) {
                done.completed(buffer);
            } else {
                done.failed(failWith);
            }
        }

        @Override
        public void close() {
        }
    }

    private final RecordingWriter writer = new RecordingWriter();
    private final AtomicBoolean connected = new AtomicBoolean(true);
    private final TyrusFramedSender sender = new TyrusFramedSender(connected::get, writer);

    /** Each length class of RFC 6455's payload length: 7 bits, 16 bits, 64 bits, at the edges. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
    void writesOneFinalUnmaskedTextFrameAClientDecodes(int length) {
        String text = "x".repeat(length);

        sender.send(text, result -> { });

        assertEquals(text, decodeTextFrame(writer.written.get(0)));
    }

    @Test
    void encodesTextAsUtf8() {
        String text = "{\"text\":\"grüße, 你好, \uD83D\uDE00\"}";

        sender.send(text, result -> { });

        assertEquals(text, decodeTextFrame(writer.written.get(0)));
    }

    @Test
    void reportsCompletionAndFailureToTheSendHandler() {
        AtomicReference<SendResult> ok = new AtomicReference<>();
        sender.send("a", ok::set);
        IOException broken = new IOException("Broken pipe");
        writer.failWith = broken;
        AtomicReference<SendResult> failed = new AtomicReference<>();
        sender.send("b", failed::set);

        assertTrue(ok.get().isOK());
        assertNull(ok.get().getException());
        assertSame(broken, failed.get().getException());
    }

    @Test
    void refusesToWriteOnceTheSocketIsNoLongerConnected() {
        connected.set(false);

        assertThrows(IllegalStateException.class, () -> sender.send("late", result -> { }));
        assertTrue(writer.written.isEmpty(), "a frame after the close frame breaks the protocol");
    }

    @Test
    void writesABacklogAsSeparateFramesInOneWrite() {
        List<String> texts = List.of("first", "x".repeat(300), "dritte: grüße", "y".repeat(70_000));

        sender.sendRun(texts, result -> { });

        assertEquals(1, writer.written.size(), "one write");
        ByteBuffer in = ByteBuffer.wrap(writer.written.get(0));
        List<String> frames = new ArrayList<>();
        while (in.hasRemaining()) {
            frames.add(decodeTextFrame(in));
        }
        assertEquals(texts, frames, "each text its own frame, in order");
    }

    @Test
    void writesABatchAsOneFrameOfLinesInOneWrite() {
        List<String> lines = List.of("{\"id\":1}", "{\"text\":\"grüße\"}", "z".repeat(200));

        sender.sendLines(lines, result -> { });

        assertEquals(1, writer.written.size(), "one write");
        assertEquals(String.join("\n", lines), decodeTextFrame(writer.written.get(0)), "one frame, a line per event");
    }

    /** Decodes the one server frame written, as a client must (RFC 6455, 5.2). */
    static String decodeTextFrame(byte[] written) {
        ByteBuffer in = ByteBuffer.wrap(written);
        String text = decodeTextFrame(in);
        assertEquals(0, in.remaining(), "one frame, nothing after it");
        return text;
    }

    /** Decodes the next server frame, failing on anything a client must reject or Chorus never sends. */
    static String decodeTextFrame(ByteBuffer in) {
        assertEquals((byte) 0x81, in.get(), "FIN and the text opcode, no RSV bits");
        int first = in.get() & 0xFF;
        assertEquals(0, first & 0x80, "a server must not mask");
        long length = first & 0x7F;
        if (length == 126) {
            length = in.getShort() & 0xFFFF;
            assertTrue(length > 125, "the shortest length encoding is required");
        } else if (length == 127) {
            length = in.getLong();
            assertTrue(length > 0xFFFF, "the shortest length encoding is required");
        }
        assertTrue(length <= in.remaining(), "payload length within what was written");
        byte[] payload = new byte[(int) length];
        in.get(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }
}
