package dev.chorus.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.ChatSettings;
import dev.chorus.testsupport.Settings;
import dev.chorus.handshake.ConnectionQuota.Admission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionQuotaTest {

    private static ConnectionQuota quota(int maxConnections, int maxPerAddress) {
        return new ConnectionQuota(Settings.defaultsWith(new ChatSettings.Limits(maxConnections, maxPerAddress, 10_000)));
    }

    @Test
    void anAddressGetsItsShareAndNoMoreWhileOthersStillGetIn() {
        ConnectionQuota quota = quota(10, 2);

        assertEquals(Admission.ADMITTED, quota.admit("192.0.2.1"));
        assertEquals(Admission.ADMITTED, quota.admit("192.0.2.1"));
        assertTrue(quota.isFull("192.0.2.1"));
        assertEquals(Admission.ADDRESS_FULL, quota.admit("192.0.2.1"));
        assertEquals(Admission.ADMITTED, quota.admit("192.0.2.2"));
        assertEquals(3, quota.connections(), "a refused connection holds no slot");

        quota.release("192.0.2.1");
        assertFalse(quota.isFull("192.0.2.1"));
        assertEquals(Admission.ADMITTED, quota.admit("192.0.2.1"));
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() {
        ConnectionQuota quota = quota(10, 2);

        assertEquals(Admission.ADMITTED, quota.admit("2001:db8:1:2::1"));
        assertEquals(Admission.ADMITTED, quota.admit("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        assertEquals(Admission.ADDRESS_FULL, quota.admit("2001:0db8:0001:0002::ffff"), "the same /64, written otherwise");
        assertTrue(quota.isFull("2001:db8:1:2::42"));
        assertEquals(Admission.ADMITTED, quota.admit("2001:db8:1:3::1"), "the next /64 is someone else");
        assertEquals(2, quota.addresses());

        quota.release("2001:db8:1:2::1");
        assertEquals(Admission.ADMITTED, quota.admit("2001:db8:1:2::99"));
        assertEquals("192.0.2.7", ConnectionQuota.holder("::ffff:192.0.2.7"), "an IPv4-mapped address is its IPv4 one");
        assertEquals("192.0.2.7", ConnectionQuota.holder("192.0.2.7"));
    }

    @Test
    void theNodeLimitHoldsAcrossAddressesAndAnUnknownAddressCountsOnlyThere() {
        ConnectionQuota quota = quota(2, 1);

        assertEquals(Admission.ADMITTED, quota.admit(null));
        assertEquals(Admission.ADMITTED, quota.admit(null), "no address: no limit per address");
        assertEquals(Admission.NODE_FULL, quota.admit("192.0.2.1"));
        assertEquals(0, quota.addresses());
    }

    @Test
    void zeroMeansNoLimitPerAddress() {
        ConnectionQuota quota = quota(100, 0);
        for (int i = 0; i < 100; i++) {
            assertEquals(Admission.ADMITTED, quota.admit("192.0.2.1"));
        }
        assertFalse(quota.isFull("192.0.2.1"));
    }

    @Test
    void underConcurrentJoinsAndLeavesNoAddressPassesItsLimitAndAllSlotsComeBack() throws Exception {
        int perAddress = 5;
        ConnectionQuota quota = quota(1_000, perAddress);
        AtomicInteger[] open = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        AtomicInteger overLimit = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                loops.add(threads.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        int a = (thread + i) % open.length;
                        String address = "192.0.2." + a;
                        if (quota.admit(address) == Admission.ADMITTED) {
                            if (open[a].incrementAndGet() > perAddress) {
                                overLimit.incrementAndGet();
                            }
                            open[a].decrementAndGet();
                            quota.release(address);
                        }
                    }
                }));
            }
            for (Future<?> loop : loops) {
                loop.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertEquals(0, overLimit.get(), "an address held more than its limit at once");
        assertEquals(0, quota.connections());
        assertEquals(0, quota.addresses(), "addresses with no connection are forgotten");
    }
}
