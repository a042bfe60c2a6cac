package dev.chorus.cluster;

/** Where Redis put a message the application published: its id, under the room's numbering ({@code epoch}). */
public record Posted(long id, String epoch) {
}
