package dev.chorus.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A domain of the full Payara Server (not Micro) that a test creates, starts, deploys to and
 * stops itself with {@code asadmin}, as an operator would: for what only a long-running server
 * shows, such as what an undeployed application leaves behind. The domain lives under
 * {@code target/payara-domains}, on ports of a free port base, its HTTP listeners on loopback, with the
 * transport settings of {@code server-config/payara/pre-boot-commands.asadmin} applied as the README
 * says for Payara Server.
 * Payara's own data grid (Hazelcast) is turned off: Chorus does not use it, and it would look for
 * other members.
 */
public final class PayaraServerDomain implements InstalledServer {

    private static final String NAME = "chorus-it";
    /** How long one asadmin command may take; starting a domain is the slowest. */
    private static final long COMMAND_SECONDS = 180;
    /** The ports Payara Server takes above the port base: admin, HTTP, HTTPS, IIOP (3), JMS, JMX, OSGi shell, debug. */
    private static final int[] PORT_OFFSETS = {48, 80, 81, 37, 38, 39, 76, 86, 66, 9};
    /**
     * The transport settings Chorus asks of Payara, run as asadmin commands. The post-boot file's
     * only line names Payara Micro's protocol ({@code http-listener}; a domain's is
     * {@code http-listener-1}) and states a default.
     */
    private static final List<Path> SERVER_CONFIG = List.of(Path.of("server-config/payara/pre-boot-commands.asadmin"));

    /** The asadmin client, run as its script runs it, on this JVM's Java: an unpacked zip keeps no executable bits. */
    private final Path asadmin;
    private final Path domains;
    private final int portBase;

    private PayaraServerDomain(Path home, Path domains, int portBase) {
        this.asadmin = home.resolve("glassfish/lib/client/appserver-cli.jar");
        this.domains = domains;
        this.portBase = portBase;
    }

    /**
     * Creates a fresh domain of the Payara Server installed at {@code home}, applies the settings
     * and starts it; its output goes to {@code target/payara-domains/chorus-it/logs/server.log}.
     */
    public static PayaraServerDomain start(Path home) {
        Path domains = Path.of("target", "payara-domains").toAbsolutePath();
        InstalledServers.deleteTree(domains.resolve(NAME));
        PayaraServerDomain domain = new PayaraServerDomain(home, domains,
                InstalledServers.freeBase(20_000, 60_000, PORT_OFFSETS));
        domain.asadmin("create-domain", "--domaindir", domains.toString(), "--portbase",
                Integer.toString(domain.portBase), "--nopassword", NAME);
        domain.asadmin("start-domain", "--domaindir", domains.toString(), NAME);
        boolean configured = false;
        try {
            List<String> commands = new ArrayList<>();
            for (Path file : SERVER_CONFIG) {
                readLines(file).stream().map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(commands::add);
            }
            String listeners = "configs.config.server-config.network-config.network-listeners.network-listener.";
            commands.add("set " + listeners + "http-listener-1.address=127.0.0.1");
            commands.add("set " + listeners + "http-listener-2.address=127.0.0.1");
            commands.add("set-hazelcast-configuration --enabled=false");
            for (String command : commands) {
                domain.adminCommand(command.split(" "));
            }
            domain.asadmin("restart-domain", "--domaindir", domains.toString(), NAME);
            configured = true;
        } finally {
            if (!configured) {
                domain.close();
            }
        }
        return domain;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int httpPort() {
        return portBase + 80;
    }

    @Override
    public ProcessHandle jvm() {
        try {
            long pid = Long.parseLong(Files.readString(domains.resolve(NAME).resolve("config/pid")).strip());
            return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("Payara Server " + pid + " is not running"));
        } catch (IOException e) {
            throw new AssertionError("no pid file: is the domain running?", e);
        }
    }

    @Override
    public void deploy(Path war, String name) {
        adminCommand("deploy", "--name", name, "--contextroot", name, war.toString());
    }

    @Override
    public void redeploy(Path war, String name) {
        adminCommand("redeploy", "--name", name, war.toString());
    }

    @Override
    public void undeploy(String name) {
        adminCommand("undeploy", name);
    }

    @Override
    public void close() {
        ProcessHandle jvm = null;
        try {
            jvm = jvm();
        } catch (AssertionError notRunning) {
            // Never started, or gone: stop-domain says so too.
        }
        try {
            asadmin("stop-domain", "--domaindir", domains.toString(), NAME);
        } finally {
            if (jvm != null && jvm.isAlive()) {
                jvm.destroyForcibly();
            }
        }
    }

    /** A remote command to this domain's admin listener. */
    private void adminCommand(String... command) {
        List<String> line = new ArrayList<>(List.of("--port", Integer.toString(portBase + 48)));
        line.addAll(List.of(command));
        asadmin(line.toArray(String[]::new));
    }

    private void asadmin(String... arguments) {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", asadmin.toString(), "--interactive=false"));
        line.addAll(List.of(arguments));
        InstalledServers.run(line, Map.of(), COMMAND_SECONDS);
    }
}
