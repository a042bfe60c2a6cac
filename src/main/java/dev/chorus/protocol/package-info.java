/**
 * The wire protocol: what a client may send when it joins ({@link dev.chorus.protocol.JoinRequest}),
 * the message record the server stamps ({@link dev.chorus.protocol.ChatMessage}) and the JSON
 * events the server sends ({@link dev.chorus.protocol.ServerEvents}).
 */
package dev.chorus.protocol;
