package dev.chorus.testsupport;

import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A headless Chromium driven by Playwright. Uses the system's {@code /usr/bin/chromium} where it
 * exists (CI installs Debian's); elsewhere Playwright's own browser, which a developer may have.
 */
public final class Browser implements AutoCloseable {

    private static final Path SYSTEM_CHROMIUM = Path.of("/usr/bin/chromium");

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser chromium;

    private Browser() {
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        BrowserType.LaunchOptions options = new BrowserType.LaunchOptions()
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync"));
        if (Files.isExecutable(SYSTEM_CHROMIUM)) {
            options.setExecutablePath(SYSTEM_CHROMIUM);
        }
        chromium = playwright.chromium().launch(options);
    }

    public static Browser launch() {
        return new Browser();
    }

    /** A fresh page in its own context (its own cookies and storage), like a separate user. */
    public com.microsoft.playwright.Page newPage() {
        return chromium.newContext().newPage();
    }

    @Override
    public void close() {
        chromium.close();
        playwright.close();
    }
}
