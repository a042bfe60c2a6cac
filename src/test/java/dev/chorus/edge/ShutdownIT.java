package dev.chorus.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.outbound.Outbox;
import dev.chorus.room.Member;
import dev.chorus.room.Room;
import dev.chorus.room.Rooms;
import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChorusInstance;
import dev.chorus.testsupport.DeployedChorus;
import dev.chorus.testsupport.ServerJvms;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.CloseReason;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploying with clients connected, and deploying again. On WildFly that is an undeploy from a
 * running server, whose JVM the test then inspects for what Chorus left behind; Payara Micro's
 * Arquillian adapter runs each deployment in a server process of its own, so there it is a
 * server stop (SIGTERM) and a fresh start. If something is left, {@code -Dshutdown.dump=FILE} writes
 * the server's heap there for finding what holds it (WildFly once kept a closed session, with its
 * member, in a queued task past the undeploy).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShutdownIT {

    private static final Logger LOG = Logger.getLogger(ShutdownIT.class.getName());
    private static final String DOOMED = "doomed";
    private static final int CLIENTS = 6;
    /** How long a server whose undeploy stopped it may take to exit. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(20);
    /** How long the container may hold a closed connection's endpoint after the undeploy. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(Long.getLong("shutdown.release-wait", 30));

    @ArquillianResource
    private Deployer deployer;

    private boolean deployed;
    private final List<ChatClient> clients = new ArrayList<>();

    @Deployment(name = DOOMED, managed = false, testable = false)
    static WebArchive doomed() {
        return DeployedChorus.builtWar();
    }

    @BeforeEach
    void deploy() {
        deployer.deploy(DOOMED);
        deployed = true;
    }

    @AfterEach
    void undeploy() {
        clients.forEach(ChatClient::close);
        if (deployed) {
            deployer.undeploy(DOOMED);
        }
    }

    @Test
    @Order(1)
    void undeployingTellsEveryClientTheServerIsGoingAway(
            @ArquillianResource @OperateOnDeployment(DOOMED) URL url) {
        ChorusInstance chorus = ChorusInstance.at(url);
        for (int i = 0; i < CLIENTS; i++) {
            ChatClient client = ChatClient.connect(chorus.chat("room" + i % 2, "name=m" + i));
            clients.add(client);
            client.next("welcome");
        }
        assertEquals(CLIENTS, chorus.stats().getInt("members"));

        deployer.undeploy(DOOMED);
        deployed = false;

        for (ChatClient client : clients) {
            CloseReason reason = client.closeReason();
            assertEquals(CloseCodes.GOING_AWAY, reason.getCloseCode(), "closed with " + reason);
        }
        for (ProcessHandle server : ServerJvms.running()) {
            long loaders;
            long left;
            long waitedFrom = System.nanoTime();
            try {
                loaders = ServerJvms.loadedClasses(server, Rooms.class.getName());
                // The container lets go of a closed connection's endpoint (and with it the member)
                // on its own schedule after the close: wait for that, bounded, a full GC each time.
                try {
                    await().atMost(RELEASE_WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> leftBehind(server) == 0);
                } catch (ConditionTimeoutException e) {
                    // Counted again below, for the failure.
                }
                left = leftBehind(server);
            } catch (AssertionError notAttachable) {
                // Payara Micro: this undeploy was its server's stop, and a JVM on its way out
                // refuses jcmd. One that stays up was not stopping: the failure stands.
                server.onExit().completeOnTimeout(server, EXIT_WAIT.toSeconds(), TimeUnit.SECONDS).join();
                if (server.isAlive()) {
                    throw notAttachable;
                }
                continue;
            }
            LOG.info("shutdown: server " + server.pid() + " still holds " + loaders + " Chorus class loaders and "
                    + left + " members, outboxes and rooms " + Duration.ofNanos(System.nanoTime() - waitedFrom).toMillis()
                    + " ms after the undeploy");
            // What is Chorus' own must be gone: every member, its outbox and its room, whatever the
            // server keeps. The class loaders are only logged: WildFly itself keeps undeployed WARs'
            // class loaders for a while, and the last one until the next deployment, a WAR of one
            // plain servlet just the same (measured by hand: 3 loaders right after 3 cycles, 1 after
            // 40 s, for both).
            if (left > 0 && System.getProperty("shutdown.dump") != null) {
                ServerJvms.heapDump(server, System.getProperty("shutdown.dump"));
            }
            assertEquals(0, left, "members, outboxes and rooms left in server " + server.pid());
        }
    }

    /** Members, outboxes and rooms still reachable in the server JVM (after a full GC). */
    private static long leftBehind(ProcessHandle server) {
        return ServerJvms.liveInstances(server, Member.class.getName())
                + ServerJvms.liveInstances(server, Outbox.class.getName())
                + ServerJvms.liveInstances(server, Room.class.getName());
    }

    @Test
    @Order(2)
    void aRedeployedChorusStartsEmptyAndChats(@ArquillianResource @OperateOnDeployment(DOOMED) URL url) {
        ChorusInstance chorus = ChorusInstance.at(url);
        assertEquals(0, chorus.stats().getInt("members"));

        ChatClient alice = ChatClient.connect(chorus.chat("again", "name=alice"));
        clients.add(alice);
        alice.next("welcome");
        ChatClient bob = ChatClient.connect(chorus.chat("again", "name=bob"));
        clients.add(bob);
        bob.next("welcome");
        alice.send("back again");

        assertEquals("back again", bob.nextText());
    }
}
