package dev.chorus.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    private static final TrustedProxies PROXIES = TrustedProxies.of(" 10.0.0.5, ,10.0.0.6 ");

    private static String client(String peer, String... forwardedFor) {
        return PROXIES.client(peer, Collections.enumeration(List.of(forwardedFor)));
    }

    @Test
    void aPeerThatIsNoTrustedProxyIsTheClientWhateverItForwards() {
        assertEquals("192.0.2.7", client("192.0.2.7", "203.0.113.9"));
    }

    @Test
    void behindATrustedProxyTheClientIsTheAddressItForwards() {
        assertEquals("203.0.113.9", client("10.0.0.5", "203.0.113.9"));
        assertEquals("10.0.0.5", client("10.0.0.5"), "no header: the proxy is all we know");
    }

    @Test
    void onlyTheHopsTrustedProxiesWroteAreBelieved() {
        // The client wrote 198.51.100.1 itself; 10.0.0.5 saw 203.0.113.9 and passed to 10.0.0.6.
        assertEquals("203.0.113.9", client("10.0.0.6", "198.51.100.1, 203.0.113.9", "10.0.0.5"));
    }

    @Test
    void aChainOfTrustedProxiesOnlyEndsAtItsFirstHop() {
        assertEquals("10.0.0.5", client("10.0.0.6", "10.0.0.5"));
    }
}
