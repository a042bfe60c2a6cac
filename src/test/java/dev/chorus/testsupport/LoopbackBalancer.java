package dev.chorus.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * A TCP load balancer on a loopback port in front of Chorus nodes: each connection goes to the
 * first backend, in the order given, that accepts one, and bytes pass both ways untouched until
 * either side closes. It is what a client of a cluster meets in production, one address for every
 * node: a dead node refuses the connection, the balancer steps past it, and the client's next
 * attempt lands on another node. The Host header still names the balancer, so a page it served
 * is of the same origin on every node.
 */
public final class LoopbackBalancer implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MS = 1000;
    private static final int BUFFER_BYTES = 16 * 1024;

    private final ServerSocket listening;
    private final List<Integer> backends;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "loopback-balancer");
        thread.setDaemon(true);
        return thread;
    });

    private LoopbackBalancer(List<Integer> backends) throws IOException {
        this.backends = backends;
        this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptUntilClosed);
    }

    /** A balancer on a free loopback port, preferring the backends (loopback ports) in this order. */
    public static LoopbackBalancer start(int... backendPorts) {
        try {
            return new LoopbackBalancer(IntStream.of(backendPorts).boxed().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("no loopback port for the balancer", e);
        }
    }

    public int port() {
        return listening.getLocalPort();
    }

    /** An address through the balancer, e.g. {@code address("/chorus/")}. */
    public URI address(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Stops accepting and cuts every connection passing through. */
    @Override
    public void close() throws IOException {
        listening.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        threads.shutdownNow();
    }

    /** Hands each accepted connection to a relay; the loop ends when {@link #close} closes the listening socket. */
    private void acceptUntilClosed() {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Joins the client to the first backend that takes it; with none, the client is cut as a balancer would. */
    private void relay(Socket client) {
        open.add(client);
        for (int port : backends) {
            Socket backend = new Socket();
            try {
                backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
            } catch (IOException refused) {
                closeQuietly(backend);
                continue; // that node is down: the next one
            }
            open.add(backend);
            threads.execute(() -> pump(backend, client));
            pump(client, backend);
            return;
        }
        closeQuietly(client);
        open.remove(client);
    }

    /**
     * Copies one direction until its end of stream; then closes both sockets, so a node that dies
     * cuts its clients at once, as a balancer passes on a reset. The loop ends at end of stream or
     * when either socket is closed.
     */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // One side went away: both are closed below.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is all that was wanted.
        }
    }
}
