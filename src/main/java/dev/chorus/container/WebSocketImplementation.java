package dev.chorus.container;

/**
 * Which WebSocket implementation an object of the container's belongs to, told by its class's
 * package. A workaround applies only where its implementation is recognised, and falls back
 * loudly ({@link Workarounds}) where the implementation is recognised but laid out differently.
 */
enum WebSocketImplementation {
    /** Tyrus, over Grizzly on Payara and GlassFish. */
    TYRUS("org.glassfish.tyrus."),
    /** Undertow, on WildFly. */
    UNDERTOW("io.undertow."),
    /** Anything else: no workaround applies. */
    OTHER("");

    private final String packagePrefix;

    WebSocketImplementation(String packagePrefix) {
        this.packagePrefix = packagePrefix;
    }

    /**
     * The implementation {@code containers} (a session, a server container) belongs to, by its
     * class or a superclass (a server may subclass the implementation's); OTHER for null.
     */
    static WebSocketImplementation of(Object containers) {
        for (Class<?> type = containers == null ? null : containers.getClass(); type != null; type = type.getSuperclass()) {
            for (WebSocketImplementation known : values()) {
                if (known != OTHER && type.getName().startsWith(known.packagePrefix)) {
                    return known;
                }
            }
        }
        return OTHER;
    }
}
