/**
 * The container edge: the endpoint hands each callback to {@link dev.chorus.edge.Connections},
 * which admits a connection, checks what it sends (size, blank, rate) and takes it out when it
 * closes; beside it the sweeps ({@link dev.chorus.edge.Heartbeat}) and the stop
 * ({@link dev.chorus.edge.GracefulShutdown}).
 */
package dev.chorus.edge;
