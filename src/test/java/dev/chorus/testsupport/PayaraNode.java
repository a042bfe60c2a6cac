package dev.chorus.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One more Chorus node: a Payara Micro the test starts itself, beside the one Arquillian manages,
 * so that a cluster test can run two nodes against one Redis and kill one of them outright, which
 * Arquillian cannot do. It runs the WAR Maven built with the same pre- and post-boot commands as
 * the managed server and the README's run command, so the nodes differ only in the environment
 * the test gives and their HTTP port.
 *
 * <p>Nodes on one machine do not collide: Payara Micro opens its HTTPS listener only when given
 * {@code --sslport}, so none is passed; {@code --nocluster} turns off Hazelcast's discovery, so no
 * node joins another's data grid, while Hazelcast still listens, from port 6900 up, on the first
 * one free.
 */
public final class PayaraNode implements AutoCloseable {

    private static final long BOOT_SECONDS = 120;
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String name;
    private final int port = RedisServer.freePort();
    private final ServerProcess process;

    /**
     * Starts a node on a free loopback port, with these variables added to the environment it
     * inherits (e.g. {@code CHORUS_CLUSTER_REDIS_URI}), and waits until Chorus is deployed on it.
     * Its output goes to {@code target/nodes/<name>.log}; its temporary files (Payara unpacks its
     * runtime there, and a killed node cannot delete them) to {@code target/nodes/<name>.tmp}.
     */
    public static PayaraNode start(String name, Map<String, String> environment) {
        PayaraNode node = new PayaraNode(name, environment);
        node.awaitDeployed();
        return node;
    }

    private PayaraNode(String name, Map<String, String> environment) {
        this.name = name;
        Path basedir = Path.of("").toAbsolutePath();
        Path war = Path.of(System.getProperty("chorus.war", "target/chorus.war")).toAbsolutePath();
        if (!Files.isRegularFile(war)) {
            throw new AssertionError("no WAR at " + war + ": run the package phase first");
        }
        Path config = basedir.resolve("server-config/payara");
        Path nodes = basedir.resolve("target/nodes");
        Path log = nodes.resolve(name + ".log");
        try {
            Path tmp = Files.createDirectories(nodes.resolve(name + ".tmp"));
            ProcessBuilder builder = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-Djava.io.tmpdir=" + tmp,
                    "-jar", microJar().toString(),
                    "--deploy", war.toString(), "--contextroot", "chorus",
                    "--port", Integer.toString(port), "--nocluster", "--disablephonehome",
                    "--prebootcommandfile", config.resolve("pre-boot-commands.asadmin").toString(),
                    "--postbootcommandfile", config.resolve("post-boot-commands.asadmin").toString()));
            builder.environment().putAll(environment);
            Files.deleteIfExists(log);
            process = ServerProcess.start(builder, log);
        } catch (IOException e) {
            throw new AssertionError("cannot start Payara Micro node " + name, e);
        }
    }

    /** The node's Chorus, on loopback. */
    public ChorusInstance instance() {
        return ChorusInstance.on(port, "/chorus/");
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the node's process (SIGSTOP), as a long GC pause or a stalled machine would: it answers nothing, and knows nothing of the time passing. */
    public void freeze() {
        process.signal("-STOP");
    }

    /** Lets a {@link #freeze frozen} node go on (SIGCONT). */
    public void thaw() {
        process.signal("-CONT");
    }

    /** Kills the node outright (SIGKILL), as a crashed machine would leave it: no shutdown runs. */
    public void kill() {
        process.kill();
    }

    /** Stops the node as an operator would (SIGTERM), and kills it if it has not gone within 30 s. */
    @Override
    public void close() {
        process.stop(STOP_GRACE);
    }

    /**
     * Waits until {@code api/health} answers 200 or 503: either means Chorus is deployed (503 is
     * Chorus saying Redis is down). Other answers come from Payara before Chorus is deployed.
     */
    private void awaitDeployed() {
        HttpRequest request = HttpRequest.newBuilder(instance().address("http", "api/health"))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            await().atMost(Duration.ofSeconds(BOOT_SECONDS)).pollInterval(Duration.ofMillis(250))
                    .until(() -> answersHealth(request) || !process.isAlive());
        } catch (ConditionTimeoutException e) {
            kill();
            throw failure("did not deploy Chorus within " + BOOT_SECONDS + " s");
        }
        if (!process.isAlive()) {
            throw failure("exited with " + process.exitValue() + " while booting");
        }
    }

    private static boolean answersHealth(HttpRequest request) throws InterruptedException {
        try {
            int status = ChorusInstance.HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 || status == 503;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private AssertionError failure(String what) {
        return new AssertionError("Payara Micro node " + name + " (port " + port + ") " + what + "; "
                + "\n" + process.tail(60));
    }

    /** The Payara Micro jar the build downloads, named by {@code MICRO_JAR} as for Arquillian. */
    private static Path microJar() {
        String value = System.getenv("MICRO_JAR");
        if (value == null || value.isBlank()) {
            throw new AssertionError("MICRO_JAR is not set: the build sets it to the Payara Micro jar it downloads");
        }
        Path jar = Path.of(value);
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("MICRO_JAR names " + jar + ", which does not exist");
        }
        return jar;
    }
}
