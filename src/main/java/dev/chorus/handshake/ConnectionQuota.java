package dev.chorus.handshake;

import dev.chorus.config.ChatSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections this node holds, in all and from each remote address, against
 * {@code chorus.limits.max-connections} and {@code chorus.limits.max-connections-per-address}.
 * A slot is taken when a connection joins and given back when it closes; an address whose last
 * connection closed is forgotten, so the map holds only addresses with open connections. IPv6
 * addresses count by their /64: one subscriber is handed a whole /64, so per address it would have
 * 2^64 quotas.
 */
@ApplicationScoped
public class ConnectionQuota {

    /** Whether a connection may join, and if not, which limit it met. */
    public enum Admission {
        ADMITTED,
        NODE_FULL,
        ADDRESS_FULL
    }

    private final int maxConnections;
    /** 0: no limit per address. */
    private final int maxPerAddress;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentMap<String, Integer> byAddress = new ConcurrentHashMap<>();

    @Inject
    public ConnectionQuota(ChatSettings settings) {
        this.maxConnections = settings.limits().maxConnections();
        this.maxPerAddress = settings.limits().maxConnectionsPerAddress();
    }

    /** For the container's client proxy only. */
    protected ConnectionQuota() {
        this(ChatSettings.DEFAULTS);
    }

    /** Takes a slot for a connection from the address (null when unknown: counted on the node only). */
    public Admission admit(String address) {
        if (connections.incrementAndGet() > maxConnections) {
            connections.decrementAndGet();
            return Admission.NODE_FULL;
        }
        if (address == null || maxPerAddress == 0) {
            return Admission.ADMITTED;
        }
        boolean[] admitted = new boolean[1];
        byAddress.compute(holder(address), (key, open) -> {
            int count = open == null ? 0 : open;
            if (count >= maxPerAddress) {
                return open;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            connections.decrementAndGet();
            return Admission.ADDRESS_FULL;
        }
        return Admission.ADMITTED;
    }

    /** Gives back the slot {@link #admit} took for a connection from the address. */
    public void release(String address) {
        connections.decrementAndGet();
        if (address != null && maxPerAddress != 0) {
            byAddress.computeIfPresent(holder(address), (key, open) -> open == 1 ? null : open - 1);
        }
    }

    /** Whether the address already holds every connection it may. */
    public boolean isFull(String address) {
        return maxPerAddress != 0 && address != null && byAddress.getOrDefault(holder(address), 0) >= maxPerAddress;
    }

    /**
     * Whom the address's quota belongs to: an IPv4 address itself (an IPv4-mapped IPv6 one too),
     * an IPv6 address's /64 prefix. Parsing a literal looks nothing up; what is not one counts as given.
     */
    static String holder(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length == 4) {
                return InetAddress.getByAddress(bytes).getHostAddress();
            }
            return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        } catch (UnknownHostException e) {
            return address;
        }
    }

    /** Connections holding a slot: joined, and not yet reported closed by the container. */
    public int connections() {
        return connections.get();
    }

    /** Addresses with at least one connection holding a slot. */
    public int addresses() {
        return byAddress.size();
    }

    /** The limit per address, 0 when there is none. */
    public int maxPerAddress() {
        return maxPerAddress;
    }
}
