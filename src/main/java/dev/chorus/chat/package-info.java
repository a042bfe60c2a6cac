/**
 * Rooms and delivery, the path of a message in three classes: {@link dev.chorus.chat.Connections}
 * (what the endpoint hands over: admission, inbound checks), {@link dev.chorus.chat.Room} (members,
 * numbering and history under its lock, reached through the {@link dev.chorus.chat.SessionRegistry})
 * and {@link dev.chorus.chat.Outbox} (one write in flight per socket). Beside them the sweeps
 * ({@link dev.chorus.chat.Heartbeat}) and the stop ({@link dev.chorus.chat.GracefulShutdown}).
 */
package dev.chorus.chat;
