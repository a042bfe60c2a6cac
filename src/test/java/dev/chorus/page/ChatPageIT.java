package dev.chorus.page;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.chorus.testsupport.Browser;
import dev.chorus.testsupport.DeployedChorus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled page in a real Chromium, against the deployed WAR. */
class ChatPageIT extends DeployedChorus {

    private static Browser browser;

    private final List<Page> pages = new ArrayList<>();

    @BeforeAll
    static void launch() {
        PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
        browser = Browser.launch();
    }

    @AfterAll
    static void quit() {
        browser.close();
    }

    @AfterEach
    void closePages() {
        pages.forEach(page -> page.context().close());
        pages.clear();
    }

    private Page open(String name, String room) {
        Page page = browser.newPage();
        pages.add(page);
        page.navigate(address("http", "").toString());
        page.locator("#join input[name=name]").fill(name);
        page.locator("#join input[name=room]").fill(room);
        page.locator("#join button").click();
        assertThat(page.locator("#status")).hasText("In " + room + " as " + name);
        return page;
    }

    private static void say(Page page, String text) {
        page.locator("#say input[name=text]").fill(text);
        page.locator("#say button").click();
    }

    private static Locator messages(Page page) {
        return page.locator("#messages li.message .text");
    }

    @Test
    void twoPagesChatBothWaysAndSeeTheMemberListChange() {
        // Each test has a room of its own: a room's history outlives its members.
        Page alice = open("alice", "page-chat");
        Page bob = open("bob", "page-chat");
        assertThat(alice.locator("#members li")).hasText(new String[] {"alice", "bob"});
        assertThat(bob.locator("#members li")).hasText(new String[] {"alice", "bob"});
        assertThat(alice.locator("#count")).hasText("2 here");

        say(alice, "hi bob");
        assertThat(messages(bob)).hasText(new String[] {"hi bob"});
        assertThat(bob.locator("#messages li.message .from")).hasText(new String[] {"alice"});
        say(bob, "hi alice");
        assertThat(messages(alice)).hasText(new String[] {"hi bob", "hi alice"});

        bob.context().close();
        pages.remove(bob);
        assertThat(alice.locator("#members li")).hasText(new String[] {"alice"});
        assertThat(alice.locator("#count")).hasText("1 here");
    }

    @Test
    void namesInAnyScriptJoinAndChatUnchanged() {
        List<String> names = List.of("José", "Crêpe", "Алиса", "李雷", "Zoë Smith");
        List<Page> people = names.stream().map(name -> open(name, "page-names")).toList();

        say(people.get(0), "olá");

        Page last = people.get(people.size() - 1);
        assertThat(messages(last)).hasText(new String[] {"olá"});
        assertThat(last.locator("#messages li.message .from")).hasText(new String[] {"José"});
        assertThat(last.locator("#members li")).hasText(names.stream().sorted().toArray(String[]::new));
    }

    @Test
    void markupInAMessageShowsAsTextAndRunsNothing() {
        Page alice = open("alice", "page-markup");
        Page bob = open("bob", "page-markup");
        AtomicBoolean dialogOpened = new AtomicBoolean();
        bob.onDialog(dialog -> {
            dialogOpened.set(true);
            dialog.dismiss();
        });
        String attack = "<img src=x onerror=alert(1)>";

        say(alice, attack);

        assertThat(messages(bob)).hasText(new String[] {attack});
        assertThat(bob.locator("#messages img")).hasCount(0);
        // The message is in the page already: an onerror handler would have fired by now.
        bob.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))");
        assertFalse(dialogOpened.get(), "the message ran as script");
    }

    @Test
    void pageReconnectsByItselfAndShowsWhatItMissedOnce() throws Exception {
        Page alice = open("alice", "page-resume");
        Page bob = open("bob", "page-resume");
        say(alice, "before 1");
        say(alice, "before 2");
        assertThat(messages(bob)).hasText(new String[] {"before 1", "before 2"});

        assertEquals(204, askToReconnect("page-resume", "bob"));
        assertThat(bob.locator("#status")).containsText("reconnecting");
        say(alice, "missed 1");
        say(alice, "missed 2");
        assertThat(alice.locator("#messages li.message.mine:not(.pending)")).hasCount(4);

        assertThat(bob.locator("#status")).hasText("In page-resume as bob");
        assertThat(messages(bob)).hasText(new String[] {"before 1", "before 2", "missed 1", "missed 2"},
                new LocatorAssertions.HasTextOptions().setTimeout(20_000));
        say(bob, "back");
        assertThat(messages(alice)).hasText(new String[] {"before 1", "before 2", "missed 1", "missed 2", "back"});
    }
}
