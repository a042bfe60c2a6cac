/** The node's counters and gauges, which the metrics and stats resources read. */
package dev.chorus.metrics;
