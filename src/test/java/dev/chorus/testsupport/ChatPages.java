package dev.chorus.testsupport;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One test's pages of the bundled chat page, served from one address: opened as a person opens
 * them, each in a context of its own, and closed after the test. Every console error a page logs is
 * kept, and {@link #closeAndCheckTheConsole} fails on any: a page that works but logs errors is broken.
 */
public final class ChatPages {

    private final Browser browser;
    private final URI page;
    private final List<Page> opened = new ArrayList<>();
    private final List<String> consoleErrors = new CopyOnWriteArrayList<>();

    /** Pages of the chat page at this address, e.g. {@code http://127.0.0.1:8080/chorus/}. */
    public ChatPages(Browser browser, URI page) {
        this.browser = browser;
        this.page = page;
    }

    /** A page of its own (its own storage), whose console errors fail the test; nothing loaded yet. */
    public Page newPage() {
        Page created = browser.newPage();
        opened.add(created);
        created.onConsoleMessage(message -> {
            if ("error".equals(message.type())) {
                consoleErrors.add(message.text());
            }
        });
        created.onPageError(consoleErrors::add);
        return created;
    }

    /** Joins through the form, as a person does, and waits until the page says it is in the room. */
    public Page open(String name, String room) {
        Page created = newPage();
        created.navigate(page.toString());
        created.locator("#join input[name=name]").fill(name);
        created.locator("#join input[name=room]").fill(room);
        created.locator("#join button").click();
        assertThat(created.locator("#status")).hasText("In " + room + " as " + name);
        return created;
    }

    /** Opens the room's link ({@code ?room=…&name=…}) in this page, which joins at once. */
    public void follow(Page into, String name, String room) {
        into.navigate(page + "?room=" + room + "&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    /** Closes one page before the test ends, as a person closing the tab. */
    public void close(Page closing) {
        closing.context().close();
        opened.remove(closing);
    }

    /** Closes every page still open, then fails if any of them logged an error. */
    public void closeAndCheckTheConsole() {
        opened.forEach(each -> each.context().close());
        opened.clear();
        assertEquals(List.of(), new ArrayList<>(consoleErrors), "the page logged errors");
    }

    /** Types the text into the message box and sends it, as a person does. */
    public static void say(Page page, String text) {
        page.locator("#say [name=text]").fill(text);
        page.locator("#say button").click();
    }

    /** The text of every message the page shows, in the order shown. */
    public static Locator messages(Page page) {
        return page.locator("#messages li.message .text");
    }
}
