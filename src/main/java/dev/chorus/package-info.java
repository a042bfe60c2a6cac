/**
 * Chorus: WebSocket rooms that relay every message to every other member of the room.
 * <p>
 * {@code chat} holds the endpoint and the room registry, {@code api} the REST view on it.
 */
package dev.chorus;
