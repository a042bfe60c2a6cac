package dev.chorus.page;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.chorus.testsupport.ChatPages.messages;
import static dev.chorus.testsupport.ChatPages.say;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.chorus.testsupport.Browser;
import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChatPages;
import dev.chorus.testsupport.ChorusClients;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.LoopbackBalancer;
import dev.chorus.testsupport.PayaraNode;
import dev.chorus.testsupport.RedisServer;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page in Chromium on a cluster deployed as in production: the server under test and a Payara
 * Micro this test starts share a real {@code redis-server} on loopback, and a
 * {@link LoopbackBalancer} in front sends the page to the started node while it lives. Killing that
 * node (SIGKILL) must bring the page back, through the same address, on the other node, with every
 * message once and in order: the resume a user of a cluster depends on, in a real browser.
 */
class ClusterPageIT extends ChorusClients {

    /** How long a killed node's members outlive it in Redis; short, so that the page's old name frees soon. */
    private static final int NODE_TTL_SECONDS = 3;
    private static final String ROOM = "page-cluster";

    private static RedisServer redis;
    private static PayaraNode other;
    private static LoopbackBalancer balancer;
    private static Browser browser;

    private ChatPages pages;

    @Deployment(testable = false)
    public static WebArchive clustered() {
        redis = RedisServer.start();
        // Named as the started node deploys it: behind one balancer, both nodes must serve the page at /chorus/.
        return DeployedChorus.builtWarConfigured("chorus.war", "chorus.cluster.redis-uri=" + redis.uri(),
                "chorus.cluster.node-ttl-seconds=" + NODE_TTL_SECONDS);
    }

    @BeforeAll
    static void launch() {
        PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
        browser = Browser.launch();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        browser.close();
        stopAll(balancer, other, redis);
    }

    @AfterEach
    void closePagesAndCheckTheConsole() {
        if (pages != null) {
            pages.closeAndCheckTheConsole();
        }
    }

    @Test
    void whenItsNodeDiesThePageResumesOnTheOtherWithEveryMessageOnceInOrder() {
        other = PayaraNode.start("page-cluster-b", Map.of("CHORUS_CLUSTER_REDIS_URI", redis.uri(),
                "CHORUS_CLUSTER_NODE_TTL_SECONDS", Integer.toString(NODE_TTL_SECONDS)));
        ChorusInstance b = other.instance();
        await().atMost(ChatClient.TIMEOUT).untilAsserted(() -> b.get("api/health"));
        balancer = LoopbackBalancer.start(other.port(), chorus().address("http", "").getPort());
        pages = new ChatPages(browser, balancer.address("/chorus/"));

        Page bob = pages.newPage();
        // The page's timers are paused below, so that what carol sends certainly reaches the room while bob is away.
        bob.clock().install();
        pages.follow(bob, "bob", ROOM);
        assertThat(bob.locator("#status")).hasText("In " + ROOM + " as bob");
        assertEquals(1, b.stats().getInt("members"), "the balancer put the page on the started node");
        ChatClient carol = join(ROOM, "carol");
        carol.send("before");
        carol.next("ack");
        say(bob, "from bob");
        assertThat(messages(bob)).hasText(new String[] {"before", "from bob"});
        assertEquals("from bob", carol.nextText());

        bob.clock().pauseAt(((Number) bob.evaluate("Date.now()")).longValue() + 1000);
        other.kill();
        assertThat(bob.locator("#status")).containsText("reconnecting");
        for (int i = 1; i <= 3; i++) {
            carol.send("missed " + i);
            carol.next("ack");
        }
        bob.clock().resume();

        // bob#2 if the killed node's bob is still in Redis (until the survivor's sweep), as for any resume.
        assertThat(bob.locator("#status")).hasText(Pattern.compile("^In " + ROOM + " as bob(#2)?$"));
        await().atMost(ChatClient.TIMEOUT).until(() -> chorus().stats().getInt("members") == 2);
        assertThat(messages(bob)).hasText(new String[] {"before", "from bob", "missed 1", "missed 2", "missed 3"});
        assertThat(bob.locator("#messages li.message.mine")).hasCount(1);
        assertThat(bob.locator("#messages li.notice.gap")).hasCount(0);

        say(bob, "back");
        assertEquals("back", carol.nextText());
        assertThat(messages(bob)).hasText(new String[] {"before", "from bob", "missed 1", "missed 2", "missed 3", "back"});
    }
}
