package dev.chorus.container;

import java.lang.reflect.Field;
import java.util.List;

/** Reads a container's private fields along a path, for the few things no API reaches. */
final class ContainerFields {

    /** From a Tyrus 2.1 session to its {@code TyrusWebSocket}. */
    static final List<String> TYRUS_SESSION_TO_SOCKET = List.of("asyncRemote", "webSocket");
    /** From a {@code TyrusWebSocket} to the connection's {@code org.glassfish.tyrus.spi.Writer}. */
    static final List<String> TYRUS_SOCKET_TO_WRITER = List.of("protocolHandler", "writer");

    private ContainerFields() {
    }

    /**
     * The object at the end of the path of field names from {@code from}, or null where a field is
     * not declared or not set; a name ending in {@code ?} is followed only where it is set.
     */
    static Object follow(Object from, List<String> path) throws IllegalAccessException {
        Object at = from;
        for (int hop = 0; hop < path.size() && at != null; hop++) {
            String name = path.get(hop);
            Object next = valueOf(at, name.replace("?", ""));
            at = next != null || !name.endsWith("?") ? next : at;
        }
        return at;
    }

    /**
     * Sets the named field of {@code owner} to null if it holds {@code held}; false where it holds
     * something else or is not declared.
     */
    static boolean clear(Object owner, String name, Object held) throws IllegalAccessException {
        Field field = field(owner.getClass(), name);
        if (field == null) {
            return false;
        }
        field.setAccessible(true);
        if (field.get(owner) != held) {
            return false;
        }
        field.set(owner, null);
        return true;
    }

    /** The field's value, or null if it is not declared or not set. */
    private static Object valueOf(Object owner, String name) throws IllegalAccessException {
        Field field = field(owner.getClass(), name);
        if (field == null) {
            return null;
        }
        field.setAccessible(true);
        return field.get(owner);
    }

    private static Field field(Class<?> type, String name) {
        for (Class<?> declaring = type; declaring != null; declaring = declaring.getSuperclass()) {
            try {
                return declaring.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // Declared higher up, maybe.
            }
        }
        return null;
    }
}
