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
     * The object at the end of the path of field names from {@code from}, or null where a field
     * along it is not set (a connection not there yet, or gone); a name ending in {@code ?} is
     * followed only where it is declared and set.
     *
     * @throws NoSuchFieldException where a field is not declared: the container is laid out
     *         differently, and the message says where
     */
    static Object follow(Object from, List<String> path) throws ReflectiveOperationException {
        Object at = from;
        for (int hop = 0; hop < path.size() && at != null; hop++) {
            String name = path.get(hop);
            boolean optional = name.endsWith("?");
            Field field = field(at.getClass(), optional ? name.substring(0, name.length() - 1) : name);
            if (field == null && !optional) {
                throw missing(at, name);
            }
            Object next = field == null ? null : valueOf(at, field);
            at = next != null || !optional ? next : at;
        }
        return at;
    }

    /**
     * Sets the named field of {@code owner} to null if it holds {@code held}; false where it holds
     * something else.
     *
     * @throws NoSuchFieldException where the field is not declared
     */
    static boolean clear(Object owner, String name, Object held) throws ReflectiveOperationException {
        Field field = field(owner.getClass(), name);
        if (field == null) {
            throw missing(owner, name);
        }
        if (valueOf(owner, field) != held) {
            return false;
        }
        field.set(owner, null);
        return true;
    }

    private static NoSuchFieldException missing(Object owner, String name) {
        return new NoSuchFieldException(owner.getClass().getName() + " has no field " + name);
    }

    private static Object valueOf(Object owner, Field field) throws IllegalAccessException {
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
