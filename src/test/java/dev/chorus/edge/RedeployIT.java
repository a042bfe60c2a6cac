package dev.chorus.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.room.Rooms;
import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.ClassLoaderRelease;
import dev.chorus.testsupport.ClassLoaderRelease.Settled;
import dev.chorus.testsupport.InstalledServer;
import dev.chorus.testsupport.PayaraServerDomain;
import dev.chorus.testsupport.ServerJvms;
import dev.chorus.testsupport.WildFlyServer;
import dev.chorus.testsupport.plain.PlainCounter;
import dev.chorus.testsupport.plain.PlainEndpoint;
import jakarta.websocket.CloseReason.CloseCodes;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Redeploying and undeploying Chorus on a long-running Payara Server (the full server: Payara
 * Micro runs one deployment per process) leaves none of its class loaders behind. Each redeploy
 * happens with clients connected, which Chorus closes with 1001, and with a client that came and
 * went before it; the undeploy too. After a redeploy only the live deployment's class loader may
 * be left, after the undeploy none, once full GCs ran: anything more is held by something Chorus
 * put where the server outlives it (a thread, a container object, a JVM-wide registry).
 * <p>
 * The control is a plain WAR of one application-scoped bean and one WebSocket endpoint, deployed
 * as often: the server lets go of it, so whatever stays of Chorus is Chorus' doing. The control
 * opens no WebSocket session: Payara Server keeps the last upgrade handler of a recycled request,
 * and with it a plain WAR that had a session (see docs/container-defects.md); Chorus' own handler
 * takes itself out, so Chorus is held to the stricter rule.
 * <p>
 * On WildFly the rule is relative: WildFly keeps an undeployed WAR's class loader for a while, a
 * plain one just the same: JBoss Threads keeps each worker thread's first task, and the context
 * class loader of whoever submitted it, for the thread's life, so an application is let go of once
 * the threads it started have ended. {@code server-config/wildfly/configure-tuning.cli} makes every
 * idle task thread end after the worker's keep-alive (60 s) instead of keeping two core threads for
 * good, which held Chorus until a restart. Both WARs go through the same redeploys, clients and
 * undeploy side by side, with a WebSocket session on the control too, and the test records how
 * long WildFly takes to let go of each after the undeploy: Chorus' loaders must be gone within the
 * time the control's took, plus {@link #WILDFLY_MARGIN}.
 * <p>
 * Runs in the {@code payara-server} profile, which unpacks the server and names it in
 * {@code payara.server.home}, and in the {@code wildfly} profile, which names its WildFly (with the
 * {@code server-config/wildfly} scripts applied) in {@code wildfly.home} ({@code -Dredeploy.wildfly=false}
 * leaves it out there: it waits minutes for WildFly). Each test starts a server of its own.
 */
@EnabledIf("onAnInstalledServer")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedeployIT {

    private static final Logger LOG = Logger.getLogger(RedeployIT.class.getName());
    private static final int REDEPLOYS = 3;
    /** How long the server may take to let go of an undeployed application, a full GC each second. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(30);
    /** How long WildFly may take to let go of both undeployed WARs, a full GC each second. */
    private static final Duration WILDFLY_RELEASE_WAIT = Duration.ofMinutes(2);
    /**
     * How much longer than its control Chorus may take on WildFly: two counting rounds (a full GC
     * and a class count each take a few seconds on a busy machine), so that the order in which the
     * two are let go of within one round is not taken for a difference, and the seconds Chorus'
     * undeploy runs after the control's, which its pool threads' keep-alive counts from.
     */
    private static final Duration WILDFLY_MARGIN = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static InstalledServer server;

    /** The servers this test starts itself: Payara Server's or WildFly's installation must be named. */
    static boolean onAnInstalledServer() {
        return System.getProperty("payara.server.home") != null || onWildFly();
    }

    /** WildFly's installation is named, and its redeploy test not left out ({@code -Dredeploy.wildfly=false}). */
    static boolean onWildFly() {
        return System.getProperty("wildfly.home") != null && !"false".equals(System.getProperty("redeploy.wildfly"));
    }

    @BeforeAll
    static void startServer() {
        String payara = System.getProperty("payara.server.home");
        server = payara != null ? PayaraServerDomain.start(Path.of(payara))
                : WildFlyServer.start(Path.of(System.getProperty("wildfly.home")));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    @EnabledIfSystemProperty(named = "payara.server.home", matches = ".+")
    void thePlainWarLeavesNoClassLoaderBehind() throws Exception {
        Path war = plainWar();
        String name = "plain";
        server.deploy(war, name);
        answersHttp(name);
        for (int i = 0; i < REDEPLOYS; i++) {
            server.redeploy(war, name);
            answersHttp(name);
        }
        assertEquals(1, loadersSettledAt(1, PlainEndpoint.class), "plain WAR class loaders after " + REDEPLOYS + " redeploys");

        server.undeploy(name);

        assertEquals(0, loadersSettledAt(0, PlainEndpoint.class), "plain WAR class loaders after the undeploy");
    }

    @Test
    @Order(2)
    @EnabledIfSystemProperty(named = "payara.server.home", matches = ".+")
    void chorusLeavesNoClassLoaderBehind() {
        Path war = chorusWar();
        String name = "chorus";
        server.deploy(war, name);
        ChorusInstance chorus = ChorusInstance.on(server.httpPort(), "/" + name + "/");
        List<ChatClient> connected = chat(chorus);
        for (int i = 0; i < REDEPLOYS; i++) {
            server.redeploy(war, name);
            toldGoingAway(connected);
            connected = chat(chorus);
        }
        assertEquals(1, loadersSettledAt(1, Rooms.class), "Chorus class loaders after " + REDEPLOYS + " redeploys");

        server.undeploy(name);
        toldGoingAway(connected);

        assertEquals(0, loadersSettledAt(0, Rooms.class), "Chorus class loaders after the undeploy");
    }

    /**
     * A client that talks and leaves, then two that stay connected, as users would be during an
     * update; the two are returned.
     */
    private static List<ChatClient> chat(ChorusInstance chorus) {
        try (ChatClient passing = ChatClient.connect(chorus.chat("lobby", "name=passing"))) {
            passing.next("welcome");
            passing.send("hello");
            passing.next("ack");
        }
        List<ChatClient> staying = new ArrayList<>();
        for (String name : List.of("alice", "bob")) {
            ChatClient client = ChatClient.connect(chorus.chat("lobby", "name=" + name));
            client.next("welcome");
            staying.add(client);
        }
        staying.get(0).send("still here");
        assertEquals("still here", staying.get(1).nextText());
        return staying;
    }

    @Test
    @Order(3)
    @EnabledIf("onWildFly")
    void chorusIsLetGoOfWithinTheTimeWildFlyLetsGoOfAPlainWar() throws Exception {
        Path plainWar = plainWar();
        Path chorusWar = chorusWar();
        server.deploy(plainWar, "plain");
        server.deploy(chorusWar, "chorus");
        ChorusInstance chorus = ChorusInstance.on(server.httpPort(), "/chorus/");
        ChatClient plainClient = plainChat("plain");
        List<ChatClient> connected = chat(chorus);
        for (int i = 0; i < REDEPLOYS; i++) {
            server.redeploy(plainWar, "plain");
            plainClient.close();
            plainClient = plainChat("plain");
            server.redeploy(chorusWar, "chorus");
            toldGoingAway(connected);
            connected = chat(chorus);
        }
        server.undeploy("plain");
        plainClient.close();
        server.undeploy("chorus");
        toldGoingAway(connected);

        Map<String, Settled> released = ClassLoaderRelease.waitUntil(server.jvm(), 0, WILDFLY_RELEASE_WAIT,
                List.of(PlainEndpoint.class.getName(), Rooms.class.getName()));
        Settled control = released.get(PlainEndpoint.class.getName());
        Settled chorusLoaders = released.get(Rooms.class.getName());
        LOG.info("WildFly, " + REDEPLOYS + " redeploys and an undeploy, then full GCs: the plain WAR (control): " + control
                + "; Chorus: " + chorusLoaders);
        if (chorusLoaders.after().isEmpty() && System.getProperty("redeploy.dump") != null) {
            ServerJvms.heapDump(server.jvm(), System.getProperty("redeploy.dump"));
        }

        // WildFly may keep even the plain WAR's last loader for minutes (an idle worker holds the
        // last request it ran until it runs another): Chorus must keep no more than the control,
        // and once the control's are gone, Chorus' must be gone within the margin.
        assertTrue(chorusLoaders.loaders() <= control.loaders(), "Chorus kept more class loaders than the plain WAR: "
                + chorusLoaders + "; " + control);
        control.after().ifPresent(controlTime -> {
            Duration chorusTime = chorusLoaders.after()
                    .orElseThrow(() -> new AssertionError("WildFly let go of the plain WAR, but not of Chorus: " + chorusLoaders));
            assertTrue(chorusTime.compareTo(controlTime.plus(WILDFLY_MARGIN)) <= 0, "Chorus' class loaders went after "
                    + chorusTime.toMillis() + " ms, the plain WAR's after " + controlTime.toMillis() + " ms");
        });
    }

    /** A WebSocket session on the plain WAR, answered once: the control's counterpart of a chat client. */
    private static ChatClient plainChat(String name) {
        ChatClient client = ChatClient.connect(ChorusInstance.on(server.httpPort(), "/" + name + "/").chat("lobby", ""));
        client.send("hello");
        String answer = client.nextFrame();
        assertTrue(answer.endsWith(": hello"), "the plain endpoint answered " + answer);
        return client;
    }

    private static void toldGoingAway(List<ChatClient> clients) {
        for (ChatClient client : clients) {
            assertEquals(CloseCodes.GOING_AWAY, client.closeReason().getCloseCode());
        }
    }

    /**
     * How many class loaders hold a class of this name once the count is down to {@code expected}
     * or {@link #RELEASE_WAIT} has passed, a full GC before each count.
     */
    private static long loadersSettledAt(long expected, Class<?> type) {
        ProcessHandle jvm = server.jvm();
        Settled settled = ClassLoaderRelease.waitUntil(jvm, expected, RELEASE_WAIT, List.of(type.getName())).get(type.getName());
        LOG.info(settled.toString());
        if (settled.loaders() > expected && System.getProperty("redeploy.dump") != null) {
            ServerJvms.heapDump(jvm, System.getProperty("redeploy.dump"));
        }
        return settled.loaders();
    }

    private static Path chorusWar() {
        return Path.of(System.getProperty("chorus.war", "target/chorus.war"));
    }

    private static void answersHttp(String name) throws Exception {
        HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/" + name + "/")).build(),
                HttpResponse.BodyHandlers.discarding());
        // No page there: any answer but the server's own failure will do.
        assertTrue(response.statusCode() < 500, "the plain WAR's context answered " + response.statusCode());
    }

    /** The control: a WAR of one application-scoped bean and one WebSocket endpoint that uses it. */
    private static Path plainWar() throws Exception {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "plain.war").addClasses(PlainEndpoint.class, PlainCounter.class);
        File file = Files.createDirectories(Path.of("target").toAbsolutePath()).resolve("plain.war").toFile();
        war.as(ZipExporter.class).exportTo(file, true);
        return file.toPath();
    }
}
