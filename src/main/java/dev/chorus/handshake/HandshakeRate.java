package dev.chorus.handshake;

import dev.chorus.config.ChatConfiguration;
import dev.chorus.config.Clocks;
import dev.chorus.room.SendAllowance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Paces handshakes per address (IPv6: per /64, as {@link ConnectionQuota} counts them): a token
 * bucket of {@code chorus.limits.handshakes-per-second-per-address}, twice as deep, so that a
 * client reconnecting in a loop, or one host opening and dropping connections, cannot keep a
 * node busy with upgrades. At most {@value #TRACKED} addresses are remembered: past that, those
 * idle long enough to have a full bucket are forgotten (which changes nothing for them), and if
 * that is not enough, all are, so a flood of addresses costs a burst, never unbounded memory.
 */
@ApplicationScoped
public class HandshakeRate {

    static final int TRACKED = 100_000;

    private final double perSecond;
    private final Clocks clocks;
    private final ConcurrentMap<String, SendAllowance> byHolder = new ConcurrentHashMap<>();

    @Inject
    public HandshakeRate(ChatConfiguration configuration, Clocks clocks) {
        this(configuration.handshakesPerSecond(), clocks);
    }

    /** At most {@code perSecond} handshakes a second per address (0: no limit). */
    public HandshakeRate(double perSecond, Clocks clocks) {
        this.perSecond = perSecond;
        this.clocks = clocks;
    }

    /** For the container's client proxy only. */
    protected HandshakeRate() {
        this(0, Clocks.SYSTEM);
    }

    /** Whether a handshake from the address may go on now; takes its token if so. */
    public boolean admits(String address) {
        if (perSecond <= 0 || address == null) {
            return true;
        }
        long now = clocks.nanoTime();
        if (byHolder.size() >= TRACKED) {
            byHolder.values().removeIf(bucket -> bucket.isFull(now));
            if (byHolder.size() >= TRACKED) {
                byHolder.clear();
            }
        }
        int burst = (int) Math.max(1, Math.ceil(2 * perSecond));
        return byHolder.computeIfAbsent(ConnectionQuota.holder(address), holder -> new SendAllowance(perSecond, burst, now))
                .tryTake(now);
    }

    /** Addresses remembered now. */
    int tracked() {
        return byHolder.size();
    }
}
