package dev.chorus.container;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether each container workaround took effect on this server or fell back to the container's
 * own behaviour, read by {@code /metrics} and {@code /api/health}. The workarounds reach into
 * container fields by name, so a container update can silently undo one; this is where that shows.
 * A workaround is listed once its container is recognised and it has been tried; one that fell
 * back stays fallen back, and says so once, at WARNING, with the container's version.
 */
public final class Workarounds {

    /** The workarounds of this deployment, which every workaround reports to. */
    public static final Workarounds ON_THIS_SERVER = new Workarounds();

    private static final Logger LOG = Logger.getLogger(Workarounds.class.getName());

    /** Each workaround, by the name the metric and the health check give it, and what its fallback costs. */
    public enum Workaround {
        /** {@link TyrusReadDeadlockFix}. */
        TYRUS_DETACHED_READ("tyrus-detached-read",
                "reads run inside Payara's read callback, where an early first frame or a read that writes hangs request threads"),
        /** {@link TyrusIdleTimerFix}. */
        TYRUS_IDLE_TIMER("tyrus-idle-timer",
                "every frame reschedules Tyrus's idle timer on the managed executor, most of a broadcasting node's CPU"),
        /** {@link TyrusFramedSender}. */
        TYRUS_FRAMED_SEND("tyrus-framed-send",
                "Tyrus encodes and frames each event for every receiver, one write per frame"),
        /** The send buffer {@link TyrusReadDeadlockFix} shrinks. */
        GRIZZLY_SEND_BUFFER("grizzly-send-buffer",
                "every frame sent off Grizzly's threads allocates an 8 KiB buffer"),
        /** {@link ContainerSocket} on Tyrus over Grizzly. */
        GRIZZLY_SOCKET_CUT("grizzly-socket-cut",
                "a client that stops reading keeps its socket, and about 1 MB of heap, for good"),
        /** {@link DetachedReadHandler} taking itself out of Payara's request. */
        PAYARA_REQUEST_RELEASE("payara-request-release",
                "a recycled request keeps its upgrade handler, and with it an undeployed application"),
        /** {@link ContainerSocket} on Undertow. */
        UNDERTOW_SOCKET_CUT("undertow-socket-cut",
                "a client that stops reading keeps its socket for good"),
        /** {@link ContainerSocket#writer()} on Undertow. */
        UNDERTOW_IO_THREAD("undertow-io-thread",
                "a broadcast hands each member's send to the I/O thread on its own, not all of them at once");

        private final String label;
        private final String without;

        Workaround(String label, String without) {
            this.label = label;
            this.without = without;
        }

        /** The name in {@code chorus_workaround_active{workaround="..."}} and in the health check. */
        public String label() {
            return label;
        }
    }

    /** A workaround's state: active, or fallen back and why. */
    public record State(boolean active, String why) {
        static final State ACTIVE = new State(true, "");
    }

    private final ConcurrentMap<Workaround, State> states = new ConcurrentHashMap<>();
    private volatile String server = "a server that did not say";

    /**
     * The server ({@code ServletContext.getServerInfo()}, which on Payara Micro has no version)
     * and the build of its WebSocket implementation that {@code webSocketContainer} is of, for
     * the warnings.
     */
    public void runOn(String serverInfo, Object webSocketContainer) {
        String build = webSocketContainer == null ? null : buildOf(webSocketContainer.getClass());
        server = build == null ? serverInfo : serverInfo + " (" + build + ")";
    }

    /**
     * The name and version of the build {@code type} came with: its OSGi bundle's on Payara, else
     * its jar manifest's; null where neither says.
     */
    static String buildOf(Class<?> type) {
        try {
            Class<?> bundles = Class.forName("org.osgi.framework.FrameworkUtil", false, type.getClassLoader());
            Object bundle = bundles.getMethod("getBundle", Class.class).invoke(null, type);
            if (bundle != null) {
                return bundle.getClass().getMethod("getSymbolicName").invoke(bundle) + " "
                        + bundle.getClass().getMethod("getVersion").invoke(bundle);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Not in an OSGi framework.
        }
        Package in = type.getPackage();
        return in == null || in.getImplementationVersion() == null ? null
                : in.getImplementationTitle() + " " + in.getImplementationVersion();
    }

    /** The workaround took effect; a workaround that fell back once stays fallen back. */
    void active(Workaround workaround) {
        states.putIfAbsent(workaround, State.ACTIVE);
    }

    /**
     * The container was recognised but the workaround could not take effect: its layout is not
     * the one the workaround knows. Logged at WARNING the first time, naming the workaround, why
     * and the container's version.
     */
    void fellBack(Workaround workaround, String why) {
        boolean[] first = {false};
        states.compute(workaround, (same, before) -> {
            first[0] = before == null || before.active();
            return first[0] ? new State(false, why) : before;
        });
        if (first[0]) {
            LOG.log(Level.WARNING, "Container workaround {0} fell back on {1}: {2}. Until Chorus is updated for this "
                    + "container, {3} (see docs/container-defects.md)",
                    new Object[] {workaround.label, server, why, workaround.without});
        }
    }

    /** The workarounds tried so far by label, sorted. */
    public Map<String, State> states() {
        Map<String, State> byLabel = new TreeMap<>();
        states.forEach((workaround, state) -> byLabel.put(workaround.label, state));
        return byLabel;
    }
}
