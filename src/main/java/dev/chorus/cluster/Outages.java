package dev.chorus.cluster;

import java.util.logging.Logger;

/** Logs why Redis is not reached, once per different reason, so that a long outage does not flood the log. */
final class Outages {

    private static final Logger LOG = Logger.getLogger(Outages.class.getName());

    private final String where;
    /** The reason last logged; null while Redis is reached. Only the link's tick thread uses it. */
    private String lastReason;

    Outages(String where) {
        this.where = where;
    }

    void notReached(RuntimeException e) {
        String reason = String.valueOf(e.getMessage());
        if (!reason.equals(lastReason)) {
            lastReason = reason;
            LOG.warning("Redis at " + where + " not reached (" + reason + "); this node reports itself not ready"
                    + " and tries again every second");
        }
    }

    /** Redis is reached again: the next outage is logged whatever its reason. */
    void ended() {
        lastReason = null;
    }
}
