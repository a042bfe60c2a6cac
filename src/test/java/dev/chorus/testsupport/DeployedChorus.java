package dev.chorus.testsupport;

import java.io.File;
import java.util.Arrays;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Base of most integration tests: deploys the WAR that Maven built (not a hand-assembled copy);
 * the builders here make the variants other tests deploy.
 */
@RunAsClient
public abstract class DeployedChorus extends ChorusClients {

    @Deployment(testable = false)
    public static WebArchive builtWar() {
        File war = new File(System.getProperty("chorus.war", "target/chorus.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    /**
     * The built WAR with sign-in required: {@code chorus.auth.required=true}, a security
     * constraint on {@code /chat/*} that lets any signed-in user in, and {@link SignIn} as the
     * mechanism. Room {@value #OPEN_ROOM} is left out of the constraint, so that the container
     * lets anonymous clients through to it and only Chorus' own setting stands in their way.
     */
    public static WebArchive builtWarRequiringSignIn(String name, String... settings) {
        String webXml = """
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <security-constraint>
                    <web-resource-collection>
                      <web-resource-name>chat</web-resource-name>
                      <url-pattern>/chat/*</url-pattern>
                    </web-resource-collection>
                    <auth-constraint><role-name>**</role-name></auth-constraint>
                  </security-constraint>
                  <security-constraint>
                    <web-resource-collection>
                      <web-resource-name>open room</web-resource-name>
                      <url-pattern>/chat/%s</url-pattern>
                    </web-resource-collection>
                  </security-constraint>
                  <security-role><role-name>chorus-publisher</role-name></security-role>
                </web-app>
                """.formatted(OPEN_ROOM);
        String[] all = Arrays.copyOf(settings, settings.length + 1);
        all[settings.length] = "chorus.auth.required=true";
        return builtWarConfigured(name, all)
                .addClass(SignIn.class)
                .addAsWebInfResource(new StringAsset(webXml), "web.xml");
    }

    /**
     * The built WAR under another name, with these lines in its
     * {@code META-INF/microprofile-config.properties}: settings for one test class's deployment
     * only (the environment variables the build sets, which all deployments share, still win).
     */
    public static WebArchive builtWarConfigured(String name, String... settings) {
        return ShrinkWrap.create(WebArchive.class, name)
                .merge(builtWar())
                .addAsResource(new StringAsset(String.join("\n", settings) + "\n"), "META-INF/microprofile-config.properties");
    }

    /** The room {@link #builtWarRequiringSignIn} leaves out of its security constraint. */
    public static final String OPEN_ROOM = "open";
}
