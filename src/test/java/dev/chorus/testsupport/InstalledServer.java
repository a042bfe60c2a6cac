package dev.chorus.testsupport;

import java.nio.file.Path;

/**
 * A full application server that a test installs, starts and deploys to itself, as an operator
 * would, and that outlives the deployments: what only such a server shows, such as what an
 * undeployed application leaves behind. {@link PayaraServerDomain} and {@link WildFlyServer}; both
 * listen on loopback only.
 */
public interface InstalledServer extends AutoCloseable {

    /** The HTTP listener's port, on loopback. */
    int httpPort();

    /** The server's JVM, for {@link ServerJvms}. */
    ProcessHandle jvm();

    /** Deploys the WAR under the name, which is also its context root. */
    void deploy(Path war, String name);

    /** Deploys the WAR again in place of the application of that name, as an update would. */
    void redeploy(Path war, String name);

    /** Undeploys the application of that name. */
    void undeploy(String name);

    /** Stops the server, and kills its JVM if it is still there. */
    @Override
    void close();
}
