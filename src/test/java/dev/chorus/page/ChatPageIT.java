package dev.chorus.page;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.chorus.testsupport.ChatPages.messages;
import static dev.chorus.testsupport.ChatPages.say;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.WebSocketRoute;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.ColorScheme;
import dev.chorus.protocol.JoinRequest;
import dev.chorus.testsupport.Browser;
import dev.chorus.testsupport.ChatClient;
import dev.chorus.testsupport.ChatPages;
import dev.chorus.testsupport.ChorusClients;
import dev.chorus.testsupport.DeployedChorus;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bundled page in a real Chromium, against the deployed WAR: it talks to the server only
 * through chorus-client.js, so these tests check the module on a real server too. What the
 * application does (a published message, a private notice, a disconnect) comes through the
 * server's application API, as a backend's would. Where a test needs the network to misbehave (an
 * ack lost, a client offline), Playwright's WebSocket routing stands between the page and the
 * server. Every page must finish without a console error.
 */
class ChatPageIT extends ChorusClients {

    /** Where the page's screenshots go, for a person to look at; nothing compares them. */
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /** The bearer token the deployment takes for the application API ({@code chorus.api.token}). */
    private static final String TOKEN = "page-it-token-5c1e";

    private static Browser browser;

    private ChatPages pages;

    /** The built WAR with an API token: the tests call the application API as a backend would. */
    @Deployment(testable = false)
    static WebArchive withApiToken() {
        return DeployedChorus.builtWarConfigured("chorus.war", "chorus.api.token=" + TOKEN);
    }

    @BeforeAll
    static void launch() {
        PlaywrightAssertions.setDefaultAssertionTimeout(20_000);
        browser = Browser.launch();
    }

    @AfterAll
    static void quit() {
        browser.close();
    }

    @BeforeEach
    void pages() {
        pages = new ChatPages(browser, address("http", ""));
    }

    @AfterEach
    void closePagesAndCheckTheConsole() {
        pages.closeAndCheckTheConsole();
    }

    /** A POST to the application API with the token, as the application's backend makes it; must answer 2xx. */
    private void callTheApi(String path, String json) {
        HttpResponse<String> answer = chorus().post("api/" + path, json, "Authorization", "Bearer " + TOKEN);
        assertTrue(answer.statusCode() / 100 == 2, path + " answered " + answer.statusCode() + ": " + answer.body());
    }

    @Test
    void twoPagesChatBothWaysAndSeeTheMemberListChange() {
        // Each test has a room of its own: a room's history outlives its members.
        Page alice = pages.open("alice", "page-chat");
        Page bob = pages.open("bob", "page-chat");
        assertThat(alice.locator("#members li")).hasText(new String[] {"alice", "bob"});
        assertThat(bob.locator("#members li")).hasText(new String[] {"alice", "bob"});
        assertThat(alice.locator("#count")).hasText("2 here");

        say(alice, "hi bob");
        assertThat(messages(bob)).hasText(new String[] {"hi bob"});
        assertThat(bob.locator("#messages li.message .from")).hasText(new String[] {"alice"});
        say(bob, "hi alice");
        assertThat(messages(alice)).hasText(new String[] {"hi bob", "hi alice"});
        // One day separator, and each message's time in the reader's zone, with the server's instant kept.
        assertThat(alice.locator("#messages li.day")).hasText(new String[] {"Today"});
        assertThat(alice.locator("#messages li.message time")).hasCount(2);
        assertThat(alice.locator("#messages li.message time").first()).hasAttribute("datetime", Pattern.compile("Z$"));

        pages.close(bob);
        assertThat(alice.locator("#members li")).hasText(new String[] {"alice"});
        assertThat(alice.locator("#count")).hasText("1 here");
    }

    @Test
    void aLinkOpensTheRoomShiftEnterBreaksTheLineAndAHiddenTabCountsUnread() {
        Page alice = pages.newPage();
        pages.follow(alice, "alice", "page-link");
        assertThat(alice.locator("#status")).hasText("In page-link as alice");
        Page bob = pages.newPage();
        pages.follow(bob, "bob", "page-link");
        assertThat(bob.locator("#status")).hasText("In page-link as bob");
        bob.evaluate("() => { Object.defineProperty(document, 'hidden', { value: true, configurable: true });"
                + " document.dispatchEvent(new Event('visibilitychange')); }");

        Locator box = alice.locator("#say [name=text]");
        box.pressSequentially("line one");
        box.press("Shift+Enter");
        box.pressSequentially("line two");
        box.press("Enter");
        say(alice, "and one more");

        assertThat(messages(bob)).hasCount(2);
        assertEquals("line one\nline two", messages(bob).first().textContent());
        assertThat(bob).hasTitle("(2) page-link · Chorus");
        bob.evaluate("() => { Object.defineProperty(document, 'hidden', { value: false, configurable: true });"
                + " document.dispatchEvent(new Event('visibilitychange')); }");
        assertThat(bob).hasTitle("page-link · Chorus");
        assertThat(alice).hasTitle("page-link · Chorus");
    }

    @Test
    void namesInAnyScriptJoinAndChatUnchanged() {
        List<String> names = List.of("José", "Crêpe", "Алиса", "李雷", "Zoë Smith");
        List<Page> people = names.stream().map(name -> pages.open(name, "page-names")).toList();

        say(people.get(0), "olá");

        Page last = people.get(people.size() - 1);
        assertThat(messages(last)).hasText(new String[] {"olá"});
        assertThat(last.locator("#messages li.message .from")).hasText(new String[] {"José"});
        assertThat(last.locator("#members li")).hasText(names.stream().sorted().toArray(String[]::new));
    }

    @Test
    void markupInAMessageShowsAsTextAndRunsNothing() {
        Page alice = pages.open("alice", "page-markup");
        Page bob = pages.open("bob", "page-markup");
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
        Page alice = pages.open("alice", "page-resume");
        Page bob = pages.open("bob", "page-resume");
        say(alice, "before 1");
        say(alice, "before 2");
        assertThat(messages(bob)).hasText(new String[] {"before 1", "before 2"});

        assertEquals(204, askToReconnect("page-resume", "bob"));
        assertThat(bob.locator("#status")).containsText("reconnecting");
        say(alice, "missed 1");
        say(alice, "missed 2");
        assertThat(alice.locator("#messages li.message.mine:not(.pending)")).hasCount(4);

        assertThat(bob.locator("#status")).hasText("In page-resume as bob");
        assertThat(messages(bob)).hasText(new String[] {"before 1", "before 2", "missed 1", "missed 2"});
        say(bob, "back");
        assertThat(messages(alice)).hasText(new String[] {"before 1", "before 2", "missed 1", "missed 2", "back"});
        assertThat(bob.locator("#messages li.day")).hasCount(1);
    }

    @Test
    void aMessageSentJustBeforeADropIsShownOnceOrOfferedAgainNeverLostSilently() {
        Page bob = pages.open("bob", "page-drop");
        // "ack": the server gets the next message, its ack never reaches the page; "message": the server never gets it.
        AtomicReference<String> cut = new AtomicReference<>("");
        Page alice = pages.newPage();
        alice.routeWebSocket(Pattern.compile(".*/chat/page-drop\\?.*"), page -> {
            WebSocketRoute server = page.connectToServer();
            page.onMessage(frame -> {
                if (cut.compareAndSet("message", "")) {
                    drop(page, server);
                } else {
                    server.send(frame.text());
                }
            });
            server.onMessage(frame -> {
                if (frame.text().contains("\"type\":\"ack\"") && cut.compareAndSet("ack", "")) {
                    drop(page, server);
                } else {
                    page.send(frame.text());
                }
            });
        });
        pages.follow(alice, "alice", "page-drop");
        assertThat(alice.locator("#status")).hasText("In page-drop as alice");
        say(bob, "before");
        assertThat(messages(alice)).hasText(new String[] {"before"});

        cut.set("ack");
        say(alice, "last words");
        assertThat(messages(bob)).hasText(new String[] {"before", "last words"});
        assertThat(alice.locator("#status")).containsText("In page-drop as alice");
        assertThat(messages(alice)).hasText(new String[] {"before", "last words"});
        assertThat(alice.locator("#outbox li")).hasCount(0);

        cut.set("message");
        say(alice, "lost words");
        Locator offered = alice.locator("#outbox li.failed");
        assertThat(offered).containsText("May not have been sent");
        assertThat(alice.locator("#status")).containsText("In page-drop as alice");
        assertThat(messages(alice)).hasText(new String[] {"before", "last words"});
        alice.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("page-offered-again.png")));
        offered.getByText("Send again").click();
        assertThat(messages(bob)).hasText(new String[] {"before", "last words", "lost words"});
        assertThat(messages(alice)).hasText(new String[] {"before", "last words", "lost words"});
        assertThat(alice.locator("#outbox li")).hasCount(0);
    }

    /** Cuts a routed connection as a network would: the page sees an abnormal close, the server a close. */
    private static void drop(WebSocketRoute page, WebSocketRoute server) {
        page.close(new WebSocketRoute.CloseOptions().setCode(1011).setReason("network cut by the test"));
        server.close();
    }

    @Test
    void aRefusedNameStopsReconnectingAndSaysWhy() {
        Page page = pages.newPage();
        AtomicInteger sockets = new AtomicInteger();
        page.onWebSocket(socket -> sockets.incrementAndGet());
        page.clock().install();
        pages.follow(page, "no!bang", "page-refused");

        assertThat(page.locator("#status")).hasText("Disconnected: " + JoinRequest.NAME_RULE + ". Not reconnecting.");
        // Far past the longest back-off: a client that reconnected would have opened another socket.
        page.clock().runFor(120_000);
        assertEquals(1, sockets.get());
        assertThat(page.locator("#status")).hasAttribute("data-state", "disconnected");
        assertThat(page.locator("#say button")).isDisabled();
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("page-refused.png")));
    }

    @Test
    void aBurstArrivesBatchedAndIsSplitIntoEveryMessageOnceInOrder() {
        Page bob = pages.newPage();
        List<String> frames = new CopyOnWriteArrayList<>();
        bob.onWebSocket(socket -> socket.onFrameReceived(frame -> frames.add(frame.text())));
        pages.follow(bob, "bob", "page-burst");
        assertThat(bob.locator("#status")).hasText("In page-burst as bob");

        ChatClient carol = join("page-burst", "carol");
        String[] burst = IntStream.rangeClosed(1, 100).mapToObj(i -> "burst " + i).toArray(String[]::new);
        for (String text : burst) {
            carol.send(text);
        }

        assertThat(messages(bob)).hasText(burst);
        long lines = frames.stream().mapToLong(frame -> frame.split("\n").length).sum();
        assertTrue(frames.size() < lines, "no frame carried several events: " + frames.size() + " frames");
    }

    @Test
    void aClientOfflineLongerThanTheHistorySeesTheGap() throws Exception {
        Page bob = pages.newPage();
        AtomicBoolean offline = new AtomicBoolean();
        bob.routeWebSocket(Pattern.compile(".*/chat/page-gap\\?.*"), page -> {
            WebSocketRoute server = page.connectToServer();
            if (offline.get()) {
                // Refused once the handshake is through, as a node going down would: the page must try again.
                AtomicBoolean dropped = new AtomicBoolean();
                server.onMessage(frame -> {
                    if (dropped.compareAndSet(false, true)) {
                        drop(page, server);
                    }
                });
            }
        });
        pages.follow(bob, "bob", "page-gap");
        assertThat(bob.locator("#status")).hasText("In page-gap as bob");
        ChatClient carol = join("page-gap", "carol");
        carol.send("seen");
        assertThat(messages(bob)).hasText(new String[] {"seen"});

        offline.set(true);
        assertEquals(204, askToReconnect("page-gap", "bob"));
        assertThat(bob.locator("#status")).containsText("reconnecting");
        // The room keeps the last 100 (chorus.history.size): 105 more push 5 of them out.
        for (int i = 1; i <= 105; i++) {
            carol.send("later " + i);
        }
        for (int i = 1; i <= 105; i++) {
            carol.next("ack");
        }
        offline.set(false);
        // Back online: the page retries at once if it is waiting, else the attempt under way goes through.
        bob.evaluate("() => window.dispatchEvent(new Event('online'))");

        assertThat(bob.locator("#status")).hasText("In page-gap as bob");
        assertThat(bob.locator("#messages li.notice.gap")).hasText("5 earlier messages could not be recovered: the room no longer keeps them.");
        assertThat(messages(bob)).hasCount(101);
        assertThat(messages(bob).first()).hasText("seen");
        assertThat(messages(bob).nth(1)).hasText("later 6");
        assertThat(messages(bob).last()).hasText("later 105");
    }

    @Test
    void aPrivateNoticeShowsApartAndTheApplicationsDisconnectIsFinal() {
        Page alice = pages.newPage();
        AtomicInteger sockets = new AtomicInteger();
        alice.onWebSocket(socket -> sockets.incrementAndGet());
        alice.clock().install();
        pages.follow(alice, "alice", "page-app");
        assertThat(alice.locator("#status")).hasText("In page-app as alice");

        callTheApi("users/alice/notices", "{\"text\": \"Your trial ends today <b>!</b>\", \"from\": \"billing\"}");
        callTheApi("users/alice/notices", "{\"text\": \"Maintenance at noon\"}");
        assertThat(alice.locator("#messages li.private .text")).hasText(new String[] {"Your trial ends today <b>!</b>", "Maintenance at noon"});
        assertThat(alice.locator("#messages li.private .from")).hasText(new String[] {"Private notice from billing", "Private notice"});
        assertThat(alice.locator("#messages b")).hasCount(0);

        callTheApi("users/alice/disconnect", "{\"reason\": \"account suspended\"}");
        assertThat(alice.locator("#status")).hasText("Disconnected by the application: account suspended. Not reconnecting.");
        assertThat(alice.locator("#retry")).isHidden();
        assertThat(alice.locator("#say [name=text]")).isDisabled();
        // Far past the longest back-off: a client that reconnected would have opened another socket.
        alice.clock().runFor(120_000);
        assertEquals(1, sockets.get());
        assertThat(alice.locator("#status")).hasAttribute("data-state", "disconnected");
    }

    @Test
    void theMinimalExampleChatsWithThePage() {
        Page alice = pages.open("alice", "page-example");
        Page eve = pages.newPage();
        eve.navigate(address("http", "examples/minimal.html") + "?room=page-example&name=eve");
        assertThat(eve.locator("#state")).hasText("live");

        say(alice, "hello example");
        assertThat(eve.locator("#log li")).hasText(new String[] {"alice: hello example"});
        eve.locator("#say input").fill("hi page");
        eve.locator("#say button").click();
        assertThat(messages(alice)).hasText(new String[] {"hello example", "hi page"});
        assertThat(eve.locator("#log li")).hasText(new String[] {"alice: hello example", "eve: hi page"});
    }

    @Test
    void screenshotsAtPhoneAndDesktopWidthInLightAndDark() {
        Page bob = pages.newPage();
        pages.follow(bob, "bob", "page-look");
        assertThat(bob.locator("#status")).hasText("In page-look as bob");
        ChatClient carol = join("page-look", "carol");
        carol.send("Morning! Did the deploy go out?");
        say(bob, "It did, about ten minutes ago.");
        assertThat(messages(bob)).hasCount(2);
        carol.send("Great.\nI'll tell the others.\nThanks!");
        carol.send("<script>alert('still just text')</script>");
        assertThat(messages(bob)).hasCount(4);
        callTheApi("rooms/page-look/messages", "{\"text\": \"Deploy finished: build 1432\", \"from\": \"CI bot\"}");
        callTheApi("users/bob/notices", "{\"text\": \"Your trial ends in 3 days.\", \"from\": \"billing\"}");
        assertThat(bob.locator("#messages li.message.server")).hasCount(1);
        assertThat(bob.locator("#messages li.private")).hasCount(1);
        bob.locator("#say [name=text]").fill("Typing a reply…");

        for (int width : new int[] {375, 1280}) {
            bob.setViewportSize(width, width < 600 ? 740 : 800);
            for (ColorScheme scheme : new ColorScheme[] {ColorScheme.LIGHT, ColorScheme.DARK}) {
                bob.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(scheme));
                String name = "page-" + width + "-" + scheme.name().toLowerCase() + ".png";
                bob.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name)));
            }
        }
    }
}
