package dev.chorus.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.config.Clocks;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** Handshakes paced per address, and the memory that takes bounded whatever the number of addresses. */
class HandshakeRateTest {

    private long nanos;
    private final HandshakeRate rate = new HandshakeRate(5, new Clocks(Clock.systemUTC(), () -> nanos));

    @Test
    void anAddressGetsTwiceItsRateAtOnceThenItsRate() {
        for (int i = 0; i < 10; i++) {
            assertTrue(rate.admits("192.0.2.7"), "handshake " + i + " of the burst");
        }
        assertFalse(rate.admits("192.0.2.7"));
        assertTrue(rate.admits("192.0.2.8"), "another address has its own bucket");
        nanos += 200_000_000L;
        assertTrue(rate.admits("192.0.2.7"), "a fifth of a second later: one more");
        assertFalse(rate.admits("192.0.2.7"));
    }

    @Test
    void oneIpv6Slash64IsOneAddress() {
        for (int i = 0; i < 10; i++) {
            assertTrue(rate.admits("2001:db8:1:2::" + Integer.toHexString(i + 1)));
        }
        assertFalse(rate.admits("2001:db8:1:2:ffff::9"), "a host cannot dodge the limit by picking another address in its /64");
        assertTrue(rate.admits("2001:db8:1:3::1"));
    }

    @Test
    void aFloodOfAddressesIsForgottenNotHeld() {
        for (int i = 0; i < HandshakeRate.TRACKED + 10; i++) {
            rate.admits("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
        }
        assertTrue(rate.tracked() <= HandshakeRate.TRACKED, "bounded: " + rate.tracked());
    }

    @Test
    void noLimitWhenOff() {
        HandshakeRate off = new HandshakeRate(0, Clocks.SYSTEM);
        for (int i = 0; i < 1000; i++) {
            assertTrue(off.admits("192.0.2.7"));
        }
        assertEquals(0, off.tracked());
    }
}
