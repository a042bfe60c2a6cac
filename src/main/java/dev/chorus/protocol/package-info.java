/**
 * The wire protocol: what a client may send when it joins ({@link dev.chorus.protocol.JoinRequest}),
 * the message record the server stamps ({@link dev.chorus.protocol.ChatMessage}), the JSON
 * events the server sends ({@link dev.chorus.protocol.ServerEvents}), where a resume starts
 * ({@link dev.chorus.protocol.Resume}) and every close code ({@link dev.chorus.protocol.CloseReasons}).
 */
package dev.chorus.protocol;
