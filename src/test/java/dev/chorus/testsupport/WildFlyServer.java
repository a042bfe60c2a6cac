package dev.chorus.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A WildFly standalone server that a test starts, deploys to and stops itself with WildFly's own
 * {@code jboss-cli.sh}, as an operator would: for what only a long-running server shows, such as
 * what an undeployed application leaves behind. It runs the installation's configured
 * {@code standalone.xml} (the wildfly profile applies the {@code server-config/wildfly} scripts to it)
 * from a server directory of its own under {@code target/wildfly-servers}, so that it shares no data,
 * deployments or logs with a WildFly that Arquillian runs from the same installation, on a free port
 * offset, bound to loopback. The CLI logs in as the local user, as it does on the server's machine.
 */
public final class WildFlyServer implements InstalledServer {

    private static final String NAME = "chorus-it";
    /** The ports of WildFly's standalone.xml, which the offset moves: AJP, HTTP, HTTPS, management (2), transactions (2). */
    private static final int[] PORTS = {8009, 8080, 8443, 9990, 9993, 4712, 4713};
    /** How long one CLI command may take; a deployment is the slowest. */
    private static final long COMMAND_SECONDS = 120;
    /** How long the server may take to start, or to stop once told to. */
    private static final Duration START_WAIT = Duration.ofSeconds(120);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final Path home;
    private final Path base;
    private final int offset;
    private Process process;

    private WildFlyServer(Path home, Path base, int offset) {
        this.home = home;
        this.base = base;
        this.offset = offset;
    }

    /**
     * Starts a fresh server of the WildFly installed at {@code home} on a copy of its configuration;
     * its output goes to {@code target/wildfly-servers/chorus-it/console.log}.
     */
    public static WildFlyServer start(Path home) {
        Path base = Path.of("target", "wildfly-servers", NAME).toAbsolutePath();
        InstalledServers.deleteTree(base);
        copyTree(home.resolve("standalone/configuration"), base.resolve("configuration"));
        WildFlyServer server = new WildFlyServer(home, base, InstalledServers.freeBase(10_000, 50_000, PORTS));
        boolean started = false;
        try {
            server.launch();
            started = true;
        } finally {
            if (!started) {
                server.close();
            }
        }
        return server;
    }

    private void launch() {
        Path console = base.resolve("console.log");
        ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + offset,
                "-b", "127.0.0.1", "-bmanagement", "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(console.toFile());
        builder.environment().putAll(scriptEnvironment());
        try {
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new AssertionError("cannot start WildFly from " + home, e);
        }
        // WFLYSRV0025: started; WFLYSRV0026: started with errors, which fails below.
        await().atMost(START_WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("WildFly exited while starting: see " + console);
            }
            return Files.readString(console).matches("(?s).*WFLYSRV002[56].*");
        });
        if (read(console).contains("WFLYSRV0026")) {
            throw new AssertionError("WildFly started with errors: see " + console);
        }
    }

    @Override
    public int httpPort() {
        return 8080 + offset;
    }

    @Override
    public ProcessHandle jvm() {
        // standalone.sh runs the server's JVM as its child and waits for it.
        return process.toHandle().descendants()
                .filter(child -> child.info().command().map(command -> command.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("WildFly's JVM is not running"));
    }

    /** Deploys the WAR under the name, which is also its context root ({@code name.war}). */
    @Override
    public void deploy(Path war, String name) {
        cli("deploy " + war + " --name=" + name + ".war");
    }

    @Override
    public void redeploy(Path war, String name) {
        cli("deploy " + war + " --name=" + name + ".war --force");
    }

    @Override
    public void undeploy(String name) {
        cli("undeploy " + name + ".war");
    }

    /** Tells the server to shut down and waits for it, then kills whatever of it is left. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        try {
            if (process.isAlive()) {
                cli("shutdown");
                process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** One command to this server's management interface. */
    private void cli(String command) {
        List<String> line = new ArrayList<>(List.of("bash", home.resolve("bin/jboss-cli.sh").toString(), "--connect",
                "--controller=remote+http://127.0.0.1:" + (9990 + offset), "--command=" + command));
        InstalledServers.run(line, scriptEnvironment(), COMMAND_SECONDS);
    }

    /** WildFly's scripts run on this JVM's Java, for the installation they are in. */
    private Map<String, String> scriptEnvironment() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"), "JBOSS_HOME", home.toString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from, e);
        }
    }
}
