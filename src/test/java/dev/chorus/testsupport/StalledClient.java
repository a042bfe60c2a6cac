package dev.chorus.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A WebSocket client that completes the handshake and then never reads again, with a tiny
 * receive buffer: the server's writes to it soon stall, like a phone on a dead network.
 */
public final class StalledClient implements AutoCloseable {

    private final Socket socket;
    /** The code of the close frame the server sent, once read; 0 before. */
    private int closeCode;

    private StalledClient(Socket socket) {
        this.socket = socket;
    }

    /** Connects to a {@code ws://} URI on loopback and returns once the server has said 101. */
    public static StalledClient connect(URI uri) throws IOException {
        return connectFrom(null, uri);
    }

    /**
     * Like {@link #connect}, from another local address (any of 127.0.0.0/8 reaches a server on
     * loopback): a second client machine, as far as the server can tell. Null: the default.
     */
    public static StalledClient connectFrom(InetAddress local, URI uri) throws IOException {
        Socket socket = new Socket();
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        return open(socket, uri, new byte[0]);
    }

    /**
     * Like {@link #connect}, but the client's first text frame goes in the same write as the
     * handshake, as an eager client (or an attacker) may send it: the server finds the frame
     * already there when it sets the connection up.
     */
    public static StalledClient connectSaying(URI uri, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("one short frame only");
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.write(new byte[4]);
        frame.write(payload);
        return open(new Socket(), uri, frame.toByteArray());
    }

    private static StalledClient open(Socket socket, URI uri, byte[] afterHandshake) throws IOException {
        socket.setReceiveBufferSize(4096);
        socket.setSoTimeout((int) ChatClient.TIMEOUT.toMillis());
        String status = handshake(socket, uri, uri.getRawQuery(), afterHandshake);
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("handshake refused: " + status);
        }
        return new StalledClient(socket);
    }

    /**
     * Sends a handshake and drops the connection before the server's answer, as a client whose
     * network vanishes at that moment: the server may still upgrade and seat it.
     */
    public static void handshakeAndVanish(URI uri) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoLinger(true, 0);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            socket.getOutputStream().write(request(uri, uri.getRawQuery()));
        }
    }

    /**
     * The HTTP status a handshake to the URI's path with this query, sent byte for byte as given
     * (no client library would send a malformed escape), gets.
     */
    public static int handshakeStatus(URI uri, String rawQuery) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout((int) ChatClient.TIMEOUT.toMillis());
            String status = handshake(socket, uri, rawQuery, new byte[0]);
            return Integer.parseInt(status.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
        }
    }

    private static String handshake(Socket socket, URI uri, String rawQuery, byte[] afterHandshake)
            throws IOException {
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(request(uri, rawQuery));
        bytes.write(afterHandshake);
        socket.getOutputStream().write(bytes.toByteArray());
        return readHeaders(socket.getInputStream());
    }

    private static byte[] request(URI uri, String rawQuery) {
        return ("GET " + uri.getRawPath() + (rawQuery == null ? "" : "?" + rawQuery) + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads the response head byte by byte, so that not one byte of the frames after it is read. */
    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the handshake");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /**
     * Sends an unsolicited, empty pong (RFC 6455 allows one as a one-way heartbeat), masked as a
     * client's frames must be: the client shows it is alive although it reads nothing.
     */
    public void pong() throws IOException {
        socket.getOutputStream().write(new byte[] {(byte) 0x8A, (byte) 0x80, 0x11, 0x22, 0x33, 0x44});
    }

    /**
     * Starts a client frame: FIN and the opcode in {@code first} (0x81 a whole text frame, 0x01 the
     * first part of a fragmented one, 0x00 a continuation), a payload length however large, and an
     * all-zero mask (legal, and the payload then goes as written).
     */
    public void startFrame(int first, long length) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(first);
        if (length < 126) {
            header.write(0x80 | (int) length);
        } else {
            header.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                header.write((int) (length >>> shift) & 0xFF);
            }
        }
        header.write(new byte[4]);
        socket.getOutputStream().write(header.toByteArray());
    }

    /** Sends a whole frame without a mask, which RFC 6455 §5.1 forbids a client: the server must close. */
    public void unmaskedFrame(int first, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(first);
        frame.write(payload.length);
        frame.write(payload);
        socket.getOutputStream().write(frame.toByteArray());
        socket.getOutputStream().flush();
    }

    /** Writes payload bytes of the frame under way; fails once the server has closed the socket. */
    public void write(byte[] payload) throws IOException {
        socket.getOutputStream().write(payload);
        socket.getOutputStream().flush();
    }

    /**
     * Reads the frames the server sent so far without waiting for more: the close code if a close
     * frame is among them, -1 if the server dropped the connection, else 0.
     */
    public int closeCodeSoFar() throws IOException {
        InputStream in = socket.getInputStream();
        while (closeCode == 0 && in.available() > 0) {
            int first = in.read();
            long length = in.read() & 0x7F;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | in.read();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if ((first & 0x0F) == 0x8) {
                closeCode = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            }
        }
        return closeCode != 0 ? closeCode : socket.isClosed() ? -1 : 0;
    }

    /**
     * Whether the server still holds its end of this connection open (ESTABLISHED in the kernel's
     * table), found without reading a byte: a server that has given up on a client must let go of
     * its socket, and of what it queued for it, even though the client never reads the close frame.
     * Linux only (the tests' machines): reads /proc/net/tcp and tcp6.
     */
    public boolean heldOpenByServer() throws IOException {
        String serverEnd = String.format(":%04X", socket.getPort());
        String clientEnd = String.format(":%04X", socket.getLocalPort());
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                // sl local_address rem_address st ...; st 01 = ESTABLISHED
                String[] columns = line.trim().split("\\s+");
                if (columns.length > 3 && columns[1].endsWith(serverEnd) && columns[2].endsWith(clientEnd)
                        && columns[3].equals("01")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
