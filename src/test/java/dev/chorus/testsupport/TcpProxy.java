package dev.chorus.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free loopback port to a loopback target port, which the test can cut
 * ({@link #cut}: every connection reset, new ones refused) or stall ({@link #stall}: connections
 * stay open, but no byte goes either way) until it {@link #mend}s: the network between one node and
 * Redis failing, loudly or silently, while the others still reach it. A stall holds what was sent
 * meanwhile and forwards it once mended, as TCP delivers what a healed network let through late.
 */
public final class TcpProxy implements AutoCloseable {

    /** Connections at most at once; more are refused. */
    private static final int CONNECTIONS = 32;
    /** Connections at most in the proxy's life: the accepting loop ends after them. */
    private static final int ACCEPTS = 1_000;
    /** How long a stall may hold a connection: past it, the connection is closed, so no thread waits for ever. */
    private static final Duration LONGEST_STALL = Duration.ofSeconds(60);
    private static final int CONNECT_MILLIS = 1000;

    private enum Mode { FORWARD, CUT, STALL }

    private final ServerSocket listening;
    private final int target;
    /** Both ends of every proxied connection, to close on a cut or on close. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** The accepting thread and two forwarding threads per connection, all daemons. */
    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(1, 1 + 2 * CONNECTIONS, 10, TimeUnit.SECONDS,
            new SynchronousQueue<>(), task -> {
                Thread thread = new Thread(task, "tcp-proxy");
                thread.setDaemon(true);
                return thread;
            });
    private final AtomicInteger refused = new AtomicInteger();
    /** Guards {@link #mode}; forwarding threads wait on it while stalled. */
    private final Object modeLock = new Object();
    private Mode mode = Mode.FORWARD;
    private volatile boolean closed;

    private TcpProxy(ServerSocket listening, int target) {
        this.listening = listening;
        this.target = target;
    }

    /** A proxy to the loopback port, accepting at once. */
    public static TcpProxy to(int targetPort) {
        try {
            TcpProxy proxy = new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
            proxy.threads.execute(proxy::accept);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("no loopback port for a proxy", e);
        }
    }

    /** The loopback port it listens on. */
    public int port() {
        return listening.getLocalPort();
    }

    /** Connections it refused: while cut, or past its bound. */
    public int refused() {
        return refused.get();
    }

    /** Resets every connection (RST, as a peer's crash or a firewall does) and refuses new ones until {@link #mend}. */
    public void cut() {
        setMode(Mode.CUT);
        open.forEach(TcpProxy::reset);
    }

    /** Keeps every connection, and accepts new ones, but forwards no byte either way until {@link #mend}. */
    public void stall() {
        setMode(Mode.STALL);
    }

    /** Forwards again: connections that were stalled get what was held. */
    public void mend() {
        setMode(Mode.FORWARD);
    }

    @Override
    public void close() {
        closed = true;
        setMode(Mode.CUT);
        try {
            listening.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        open.forEach(TcpProxy::reset);
        threads.shutdownNow();
    }

    private void setMode(Mode next) {
        synchronized (modeLock) {
            mode = next;
            modeLock.notifyAll();
        }
    }

    /** Accepts until closed (or {@link #ACCEPTS} came); each connection is forwarded by two threads of its own. */
    private void accept() {
        for (int accepted = 0; accepted < ACCEPTS && !closed; accepted++) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return;
            }
            if (currentMode() == Mode.CUT) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), CONNECT_MILLIS);
                open.add(client);
                open.add(server);
                Connection connection = new Connection(client, server);
                threads.execute(() -> connection.forward(client, server));
                threads.execute(() -> connection.forward(server, client));
            } catch (IOException | RejectedExecutionException e) {
                refused.incrementAndGet();
                reset(client);
                reset(server);
            }
        }
    }

    private Mode currentMode() {
        synchronized (modeLock) {
            return mode;
        }
    }

    /**
     * Waits while stalled, bounded by {@link #LONGEST_STALL}; whether to forward: false if cut or
     * closed meanwhile, or stalled too long.
     */
    private boolean mayForward() {
        long deadline = System.nanoTime() + LONGEST_STALL.toNanos();
        synchronized (modeLock) {
            while (mode == Mode.STALL && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(modeLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return mode == Mode.FORWARD && !closed;
        }
    }

    /** Closes the socket with a reset rather than an orderly end. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // Closed already.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Closed already.
        }
    }

    /** One proxied connection: its two ends, closed once both directions have ended. */
    private final class Connection {

        private final Socket client;
        private final Socket server;
        private final AtomicInteger directionsLeft = new AtomicInteger(2);

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** Copies bytes one way until that side ends (passing its end on) or either fails (resetting both). */
        void forward(Socket from, Socket to) {
            byte[] chunk = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int read = in.read(chunk); read >= 0; read = in.read(chunk)) {
                    if (!mayForward()) {
                        throw new IOException("cut");
                    }
                    out.write(chunk, 0, read);
                    out.flush();
                }
                to.shutdownOutput();
                if (directionsLeft.decrementAndGet() == 0) {
                    end(false);
                }
            } catch (IOException e) {
                end(true);
            }
        }

        private void end(boolean failed) {
            open.remove(client);
            open.remove(server);
            if (failed) {
                reset(client);
                reset(server);
            } else {
                try {
                    client.close();
                    server.close();
                } catch (IOException e) {
                    reset(client);
                    reset(server);
                }
            }
        }
    }
}
