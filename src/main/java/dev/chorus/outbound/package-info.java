/**
 * What goes out to one socket: its bounded queue with one write in flight, and the lanes that
 * write a backlog in one go where the container writes on the caller's thread.
 */
package dev.chorus.outbound;
