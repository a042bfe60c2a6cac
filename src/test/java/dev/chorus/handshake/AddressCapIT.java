package dev.chorus.handshake;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.StalledClient;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A deployment that lets one address hold {@value #PER_ADDRESS} connections and trusts 127.0.0.1
 * as a reverse proxy, which the test plays by sending {@code X-Forwarded-For}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AddressCapIT {

    private static final int PER_ADDRESS = 3;
    private static final String FORWARDED_FOR = "X-Forwarded-For";

    @ArquillianResource
    private URL deployedAt;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive capped() {
        return DeployedChorus.builtWarConfigured("chorus.war", "chorus.limits.max-connections-per-address=" + PER_ADDRESS,
                "chorus.limits.trusted-proxies=127.0.0.1");
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : opened) {
            client.close();
        }
    }

    private ChorusInstance chorus() {
        return ChorusInstance.at(deployedAt);
    }

    private ChatClient join(String name) {
        ChatClient client = ChatClient.connect(chorus().chat("lobby", "name=" + name));
        opened.add(client);
        client.next("welcome");
        return client;
    }

    @Test
    void anAddressHoldingItsShareIsRefusedWith429WhileAnotherAddressStillGetsIn() throws Exception {
        List<ChatClient> fromHere = new ArrayList<>();
        for (int i = 0; i < PER_ADDRESS; i++) {
            fromHere.add(join("here" + i));
        }
        Map<String, Long> before = chorus().metrics();

        assertEquals(429, ChatClient.handshakeStatus(chorus().chat("lobby", "name=one-too-many")));
        StalledClient fromElsewhere = StalledClient.connectFrom(InetAddress.getByName("127.0.0.2"),
                chorus().chat("lobby", "name=elsewhere"));
        opened.add(fromElsewhere);
        await().atMost(ChatClient.TIMEOUT).until(() -> chorus().stats().getInt("members") == PER_ADDRESS + 1);

        fromHere.get(0).close();
        await().atMost(ChatClient.TIMEOUT).until(() -> chorus().stats().getInt("members") == PER_ADDRESS);
        join("back-in");
        assertEquals(1, chorus().metrics().get("chorus_refused_handshakes_total{cause=\"address-full\"}")
                - before.get("chorus_refused_handshakes_total{cause=\"address-full\"}"));
    }

    @Test
    void behindATrustedProxyTheForwardedClientIsCountedAndCannotForgeItsWayOut() throws Exception {
        for (int i = 0; i < PER_ADDRESS; i++) {
            ChatClient client = ChatClient.connectWith(FORWARDED_FOR, "192.0.2.1", chorus().chat("lobby", "name=p" + i));
            opened.add(client);
            client.next("welcome");
        }

        URI lobby = chorus().chat("lobby", "name=next");
        assertEquals(429, ChatClient.handshakeStatus(lobby, FORWARDED_FOR, "192.0.2.1"));
        // What the client wrote itself comes first; the proxy appends the address it saw.
        assertEquals(429, ChatClient.handshakeStatus(lobby, FORWARDED_FOR, "192.0.2.2, 192.0.2.1"));
        assertEquals(101, ChatClient.handshakeStatus(lobby, FORWARDED_FOR, "192.0.2.2"));
    }

    @Test
    void aClientCannotClaimAnotherAddress() {
        assertEquals(400, ChatClient.handshakeStatus(
                chorus().chat("lobby", "name=mallory&" + RemoteAddress.PARAMETER + "=192.0.2.9")));
        assertEquals(0, chorus().stats().getInt("members"));
    }
}
