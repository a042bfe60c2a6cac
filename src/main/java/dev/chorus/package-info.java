/**
 * Chorus: WebSocket rooms that relay every message to every other member of the room.
 * <p>
 * {@code chat} holds the broadcast path, {@code protocol} the wire format, {@code handshake} the
 * checks before the upgrade, {@code config} the settings, {@code container} the workarounds for
 * container defects, {@code api} the REST and metrics view.
 */
package dev.chorus;
