package dev.chorus.container;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Objects laid out as Payara's Tyrus 2.1 over Grizzly lays out a session, one field per step from
 * the session to its Grizzly connection, with any one step left out: what a container update that
 * renames a field looks like to the workarounds.
 */
final class TyrusLayout {

    /** The fields from a Tyrus session to its Grizzly connection, in order ({@code handler} is Payara's alone). */
    static final List<String> SESSION_TO_CONNECTION = List.of("asyncRemote", "webSocket", "protocolHandler", "writer",
            "tyrusHttpUpgradeHandler", "handler", "os", "ob", "grizzlyOutputBuffer", "connection");

    private TyrusLayout() {
    }

    /**
     * A session whose fields lead to {@code connection}, but where the step {@code missing} should
     * be, an object without that field (null: no step missing). Missing {@code handler}, the
     * session is laid out as Tyrus's own build: its upgrade handler holds the stream itself.
     */
    static StubSession session(String missing, Object connection) {
        List<String> names = new ArrayList<>(SESSION_TO_CONNECTION);
        List<Object> holders = new ArrayList<>(List.of(new Session(), new AsyncRemote(), new WebSocket(),
                new ProtocolHandler(), new Writer(), new UpgradeHandlerProxy(), new UpgradeHandler(), new OutputStream(),
                new OutputBuffer(), new GrizzlyBuffer()));
        int gap = names.indexOf(missing);
        if ("handler".equals(missing)) {
            names.remove(gap);
            holders.remove(gap);
            gap = -1;
        } else if (gap >= 0) {
            holders.set(gap, gap == 0 ? new BareSession() : new Object());
        }
        try {
            for (int i = 0; i < holders.size(); i++) {
                Object next = i + 1 < holders.size() ? holders.get(i + 1) : connection;
                if (i != gap) {
                    Field field = holders.get(i).getClass().getDeclaredField(names.get(i));
                    field.setAccessible(true);
                    field.set(holders.get(i), next);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return (StubSession) holders.get(0);
    }

    /** Grizzly's connection, as far as a cut uses it. */
    static class GrizzlyConnection {
        boolean open = true;

        public boolean isOpen() {
            return open;
        }

        public void terminateSilently() {
            open = false;
        }
    }

    /** A connection that can no longer be terminated silently. */
    static final class ConnectionWithoutTerminate {
        public boolean isOpen() {
            return true;
        }
    }

    static final class Session extends StubSession {
        Object asyncRemote;
    }

    static final class BareSession extends StubSession {
    }

    static final class AsyncRemote {
        Object webSocket;
    }

    static final class WebSocket {
        Object protocolHandler;
    }

    static final class ProtocolHandler {
        Object writer;
    }

    static final class Writer {
        Object tyrusHttpUpgradeHandler;
    }

    static final class UpgradeHandlerProxy {
        Object handler;
    }

    static final class UpgradeHandler {
        Object os;
    }

    static final class OutputStream {
        Object ob;
    }

    static final class OutputBuffer {
        Object grizzlyOutputBuffer;
    }

    static final class GrizzlyBuffer {
        Object connection;
    }
}
