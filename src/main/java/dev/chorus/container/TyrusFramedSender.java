package dev.chorus.container;

import dev.chorus.container.Workarounds.Workaround;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;

/**
 * Writes text frames straight to Tyrus's connection writer, built once for every receiver of an
 * event or of a backlog ({@link SharedFrames}). Tyrus's own send encodes the text to UTF-8 and
 * frames it again for each receiver (its {@code TextFrame} even builds a new {@code Charset} each
 * time: {@code Charset.checkName} alone was 5% of a broadcasting Payara's samples), and
 * reschedules the idle timer on the way.
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
        write(SharedFrames.frame(text), done);
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
        write(SharedFrames.run(texts), done);
    }

    /** One frame of the texts as lines, built once for every receiver whose backlog holds the same run. */
    @Override
    public void sendLines(List<String> lines, SendHandler done) {
        write(SharedFrames.lines(lines), done);
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
}
