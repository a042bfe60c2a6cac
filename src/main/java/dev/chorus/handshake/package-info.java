/**
 * Who may open a chat connection at all, decided on the HTTP upgrade request before any
 * WebSocket exists: origins, the query's encoding, forged addresses, trusted proxies and the
 * connection quota, applied by one servlet filter.
 */
package dev.chorus.handshake;
