/**
 * Who may open a chat connection at all, decided on the HTTP upgrade request before any
 * WebSocket exists: the origin policy and the servlet filter that applies it.
 */
package dev.chorus.handshake;
