package dev.chorus.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the {@link InstalledServer}s share: a block of free ports, a clean directory, and their
 * admin tools run to completion. One place, so that Payara Server and WildFly are driven alike.
 */
final class InstalledServers {

    private InstalledServers() {
    }

    /**
     * A number that, added to each of the ports, gives ports all free on this machine now, a
     * multiple of 100 from a random start in {@code [lowest, highest)} so that parallel runs differ.
     */
    static int freeBase(int lowest, int highest, int... ports) {
        int first = lowest + 100 * ThreadLocalRandom.current().nextInt((highest - lowest) / 100);
        for (int base = first; base < highest; base += 100) {
            if (allFree(base, ports)) {
                return base;
            }
        }
        throw new AssertionError("no free port base from " + first);
    }

    private static boolean allFree(int base, int... ports) {
        for (int port : ports) {
            try (ServerSocket probe = new ServerSocket(base + port, 1, InetAddress.getByName("0.0.0.0"))) {
                probe.setReuseAddress(false);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    /** Deletes the directory with everything in it, if it is there. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /**
     * Runs the command to its end, within the time, and returns what it printed; a command that
     * fails or takes longer fails the test with its output.
     */
    static String run(List<String> line, Map<String, String> environment, long seconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", line) + " did not finish");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", line) + " failed: " + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + line.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + line.get(0), e);
        }
    }
}
