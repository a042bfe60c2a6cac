/**
 * Rooms and delivery: the WebSocket boundary ({@link dev.chorus.chat.ChatEndpoint}), the room
 * registry that fans a message out ({@link dev.chorus.chat.SessionRegistry}) and the per-connection
 * outbound queue that keeps exactly one write in flight per socket ({@link dev.chorus.chat.Outbox}).
 */
package dev.chorus.chat;
