package dev.chorus.cluster;

import java.util.List;

/** The room's count across the cluster and one page of its names, in order. */
public record NamesPage(int count, List<String> names) {
}
