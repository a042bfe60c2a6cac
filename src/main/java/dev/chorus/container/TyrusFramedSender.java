package dev.chorus.container;

import dev.chorus.container.Workarounds.Workaround;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;

/**
 * Writes text frames straight to Tyrus's connection writer, framed once for every receiver of an
 * event. Tyrus's own send encodes the text to UTF-8 and frames it again for each receiver (its
 * {@code TextFrame} even builds a new {@code Charset} each time: {@code Charset.checkName} alone
 * was 5% of a broadcasting Payara's samples), and reschedules the idle timer on the way. A
 * broadcast hands the same String to every member, one after the other on one thread, so the
 * last frames built on each thread are kept and reused while the same Strings come again: several,
 * because a busy send lane writes each member a run of the same few events.
 * <p>
 * What the bypass skips and why that is safe: Tyrus's send lock only orders a fragmented
 * message's parts (Chorus sends whole frames; the writer itself is synchronized, so Tyrus's own
 * pongs and close frames still go out whole between ours); extensions rewrite frames, so a session
 * that negotiated one is left to Tyrus; the idle timer restart is for Tyrus's idle timeout, which
 * Chorus leaves off (its heartbeat, whose pings go through Tyrus, finds dead clients). A frame
 * is refused once the socket is no longer connected, as Tyrus refuses it, so nothing is written
 * after the close frame.
 */
final class TyrusFramedSender implements TextSender {

    private static final byte FIN_TEXT = (byte) 0x81;
    /**
     * Frames kept per thread: enough for the runs a busy lane writes (each member of a room gets
     * the same few events in a row), few enough to look through on every send.
     */
    private static final int KEPT_FRAMES = 16;
    /**
     * A frame longer than this is kept only in the first place, so that a thread holds at most
     * one large frame (as many threads write) besides fifteen small ones.
     */
    private static final int SMALL_FRAME_BYTES = 4096;
    /**
     * Per thread: the Strings last framed ({@code String[]}), their frames ({@code byte[][]}) and
     * where the next small one goes ({@code int[]}, 1 to 15; 0 is the large frame's). JDK types only, so a container thread that outlives the
     * application does not hold its class loader.
     */
    private static final ThreadLocal<Object[]> LAST_FRAMED = new ThreadLocal<>();

    private final BooleanSupplier connected;
    private final Writer writer;

    TyrusFramedSender(BooleanSupplier connected, Writer writer) {
        this.connected = connected;
        this.writer = writer;
    }

    /**
     * The sender for a Tyrus session, or null for Tyrus's own: where an extension was negotiated,
     * a field along the way is not set (the connection closed while opening), or Tyrus is laid out
     * differently (reported to {@code workarounds}).
     */
    static TextSender of(Session session, Workarounds workarounds) {
        if (!session.getNegotiatedExtensions().isEmpty()) {
            return null;
        }
        try {
            Object socket = ContainerFields.follow(session, ContainerFields.TYRUS_SESSION_TO_SOCKET);
            Object writer = socket == null ? null : ContainerFields.follow(socket, ContainerFields.TYRUS_SOCKET_TO_WRITER);
            if (socket instanceof TyrusWebSocket tyrus && writer instanceof Writer frames) {
                workarounds.active(Workaround.TYRUS_FRAMED_SEND);
                return new TyrusFramedSender(tyrus::isConnected, frames);
            }
            if (writer != null) {
                workarounds.fellBack(Workaround.TYRUS_FRAMED_SEND, "found a " + socket.getClass().getName() + " and a "
                        + writer.getClass().getName() + " where a TyrusWebSocket and its Writer were");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            workarounds.fellBack(Workaround.TYRUS_FRAMED_SEND, ContainerSocket.why(e));
        }
        return null;
    }

    @Override
    public void send(String text, SendHandler done) {
        write(framed(text), done);
    }

    @Override
    public boolean writesRuns() {
        return true;
    }

    /**
     * One write of the frames one after the other: one pass through Grizzly's filter chain and
     * one system call for a receiver's whole backlog, where each frame took its own.
     */
    @Override
    public void sendRun(List<String> texts, SendHandler done) {
        byte[][] each = new byte[texts.size()][];
        int length = 0;
        for (int i = 0; i < each.length; i++) {
            each[i] = framed(texts.get(i));
            length += each[i].length;
        }
        byte[] run = new byte[length];
        int at = 0;
        for (byte[] frame : each) {
            System.arraycopy(frame, 0, run, at, frame.length);
            at += frame.length;
        }
        write(run, done);
    }

    private void write(byte[] frames, SendHandler done) {
        if (!connected.getAsBoolean()) {
            throw new IllegalStateException("Socket is not connected");
        }
        writer.write(ByteBuffer.wrap(frames), new CompletionHandler<>() {
            @Override
            public void completed(ByteBuffer written) {
                done.onResult(new SendResult());
            }

            @Override
            public void failed(Throwable cause) {
                done.onResult(new SendResult(cause));
            }
        });
    }

    /** An unmasked, final text frame (RFC 6455, 5.2) holding the text; reused while the text repeats. */
    static byte[] framed(String text) {
        Object[] kept = LAST_FRAMED.get();
        if (kept == null) {
            kept = new Object[] {new String[KEPT_FRAMES], new byte[KEPT_FRAMES][], new int[] {1}};
            LAST_FRAMED.set(kept);
        }
        String[] texts = (String[]) kept[0];
        byte[][] frames = (byte[][]) kept[1];
        for (int i = 0; i < KEPT_FRAMES; i++) {
            // By identity: a broadcast hands every member the one String; comparing contents
            // would read each kept text on every send.
            if (texts[i] == text) {
                return frames[i];
            }
        }
        byte[] frame = frame(text);
        int[] next = (int[]) kept[2];
        int at = frame.length > SMALL_FRAME_BYTES ? 0 : next[0];
        texts[at] = text;
        frames[at] = frame;
        if (at != 0) {
            next[0] = at == KEPT_FRAMES - 1 ? 1 : at + 1;
        }
        return frame;
    }

    private static byte[] frame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int length = payload.length;
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + length];
        frame[0] = FIN_TEXT;
        if (length <= 125) {
            frame[1] = (byte) length;
        } else if (length <= 0xFFFF) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
    }
}
