package dev.chorus.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server JVMs that Arquillian started for this test run (children of the test JVM), looked
 * into with the JDK's {@code jcmd}: what a leak would leave behind after an undeploy.
 */
public final class ServerJvms {

    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    private ServerJvms() {
    }

    /** The JVMs running below this one now. */
    public static List<ProcessHandle> running() {
        return ProcessHandle.current().descendants()
                .filter(process -> process.info().command().map(command -> command.endsWith("/java")).orElse(false))
                .toList();
    }

    /**
     * Instances of the class still reachable in the JVM, summed over every class loader that
     * loaded a class of that name. The class histogram runs a full GC first, so garbage is not
     * counted: what remains is held by something.
     */
    public static long liveInstances(ProcessHandle jvm, String className) {
        Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(className) + "(?:\\s|$)",
                Pattern.MULTILINE);
        Matcher matcher = row.matcher(jcmd(jvm, "GC.class_histogram"));
        long instances = 0;
        while (matcher.find()) {
            instances += Long.parseLong(matcher.group(1));
        }
        return instances;
    }

    /**
     * How many classes of this name the JVM has loaded, one per class loader that loaded it: after
     * an undeploy, a class that stays loaded means its deployment's class loader is still held.
     * A full GC runs first, so classes whose loader is unreachable are unloaded.
     */
    public static long loadedClasses(ProcessHandle jvm, String className) {
        return loadedClasses(jvm, List.of(className)).get(className);
    }

    /** {@link #loadedClasses(ProcessHandle, String)} for each of the names, after one full GC. */
    public static Map<String, Long> loadedClasses(ProcessHandle jvm, List<String> classNames) {
        jcmd(jvm, "GC.run");
        String hierarchy = jcmd(jvm, "VM.class_hierarchy");
        Map<String, Long> loaded = new LinkedHashMap<>();
        for (String className : classNames) {
            loaded.put(className, Pattern.compile("--" + Pattern.quote(className) + "/").matcher(hierarchy).results().count());
        }
        return loaded;
    }

    /** Writes the JVM's live heap to the file, for finding what holds an object that should be gone. */
    public static void heapDump(ProcessHandle jvm, String file) {
        jcmd(jvm, "GC.heap_dump " + file);
    }

    private static String jcmd(ProcessHandle jvm, String command) {
        try {
            List<String> line = new java.util.ArrayList<>(List.of(JCMD.toString(), Long.toString(jvm.pid())));
            line.addAll(List.of(command.split(" ")));
            Process process = new ProcessBuilder(line)
                    .redirectErrorStream(true)
                    .start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("jcmd " + command + " failed on " + jvm.pid() + ": "
                        + new String(output, StandardCharsets.UTF_8));
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + JCMD, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for jcmd", e);
        }
    }
}
