package dev.chorus.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On a Tyrus whose upgrade handler Chorus' subclass no longer fits, every WebSocket upgrade must
 * still work, with Tyrus's own handler, and the fallback must be reported; and a Grizzly buffer
 * that moved is reported, not silently left at 8 KiB.
 */
class TyrusReadDeadlockFixTest {

    private final Workarounds workarounds = new Workarounds();
    private final List<TyrusReadDeadlockFix> started = new ArrayList<>();
    /** The requests the filter handed on, and the handlers the upgrades made. */
    private final List<ServletRequest> handedOn = new ArrayList<>();
    private final List<HttpUpgradeHandler> upgradedTo = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(TyrusReadDeadlockFix::destroy);
    }

    @Test
    void upgradesGetChorusHandlerWhereItLinks() throws Exception {
        TyrusReadDeadlockFix fix = started(DetachedReadHandler::new);

        upgrade(fix, new Upgrades(false));

        assertEquals(DetachedReadHandler.class, upgradedTo.get(0).getClass());
        assertTrue(workarounds.states().get("tyrus-detached-read").active());
    }

    /** As a Tyrus that changed its handler's methods makes it: linking the subclass fails. */
    @Test
    void aHandlerThatCannotBeLinkedLeavesUpgradesToTyrus() throws Exception {
        TyrusReadDeadlockFix fix = started(() -> {
            throw new IncompatibleClassChangeError("org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler.onDataAvailable");
        });
        HttpServletRequest request = new Upgrades(false).request();

        fix.doFilter(request, response(), (handed, response) -> handedOn.add(handed));

        assertSame(request, handedOn.get(0));
        assertFalse(workarounds.states().get("tyrus-detached-read").active());
        assertTrue(workarounds.states().get("tyrus-detached-read").why().contains("IncompatibleClassChangeError"));
    }

    @Test
    void aHandlerThatCannotBeMadeLeavesUpgradesToTyrus() throws Exception {
        TyrusReadDeadlockFix fix = started(() -> {
            throw new IllegalStateException("no WebConnection yet");
        });
        HttpServletRequest request = new Upgrades(false).request();

        fix.doFilter(request, response(), (handed, response) -> handedOn.add(handed));

        assertSame(request, handedOn.get(0));
        assertFalse(workarounds.states().get("tyrus-detached-read").active());
    }

    /** The container refuses Chorus' handler at the upgrade: this connection and every later one get Tyrus's. */
    @Test
    void anUpgradeTheContainerRefusesIsRetriedWithTyrussHandler() throws Exception {
        TyrusReadDeadlockFix fix = started(DetachedReadHandler::new);
        Upgrades refusing = new Upgrades(true);

        upgrade(fix, refusing);
        HttpServletRequest later = new Upgrades(true).request();
        fix.doFilter(later, response(), (handed, response) -> handedOn.add(handed));

        assertEquals(TyrusHttpUpgradeHandler.class, upgradedTo.get(0).getClass());
        assertEquals(1, refusing.refused.get());
        assertSame(later, handedOn.get(1));
        assertFalse(workarounds.states().get("tyrus-detached-read").active());
    }

    /**
     * A request the container cannot upgrade at all (Payara under a join wave: "Already Suspended")
     * fails alone: the workaround stays for every other connection.
     */
    @Test
    void aRequestThatCannotBeUpgradedAtAllFailsAloneAndLaterUpgradesStillGetChorusHandler() throws Exception {
        TyrusReadDeadlockFix fix = started(DetachedReadHandler::new);
        Upgrades broken = new Upgrades(true, new AtomicInteger(), true);

        ServletException failed = assertThrows(ServletException.class, () -> upgrade(fix, broken));
        upgrade(fix, new Upgrades(false));

        assertEquals(2, broken.refused.get(), "Chorus' handler, then Tyrus's, were tried");
        assertEquals(1, failed.getSuppressed().length, "the first failure travels with the second");
        assertEquals(DetachedReadHandler.class, upgradedTo.get(0).getClass());
        assertTrue(workarounds.states().get("tyrus-detached-read").active());
    }

    @Test
    void shrinksGrizzlysBufferUnderPayarasResponse() {
        GrizzlyBuffer buffer = new GrizzlyBuffer();

        TyrusReadDeadlockFix.shrinkSendBuffer(facade(null, buffer), workarounds);

        assertEquals(512, buffer.size);
        assertTrue(workarounds.states().get("grizzly-send-buffer").active());
    }

    @ParameterizedTest
    @ValueSource(strings = {"response", "outputBuffer", "grizzlyOutputBuffer"})
    void aResponseMissingAStepIsAFallbackNamingIt(String missing) {
        TyrusReadDeadlockFix.shrinkSendBuffer(facade(missing, new GrizzlyBuffer()), workarounds);

        assertFalse(workarounds.states().get("grizzly-send-buffer").active());
        assertTrue(workarounds.states().get("grizzly-send-buffer").why().contains("no field " + missing));
    }

    @Test
    void aBufferThatCannotBeSizedIsAFallback() {
        TyrusReadDeadlockFix.shrinkSendBuffer(facade(null, new Object()), workarounds);

        assertTrue(workarounds.states().get("grizzly-send-buffer").why().contains("setBufferSize(int)"));
    }

    private TyrusReadDeadlockFix started(Supplier<Object> handlers) throws ServletException {
        TyrusReadDeadlockFix fix = new TyrusReadDeadlockFix(handlers, workarounds);
        fix.init((FilterConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FilterConfig.class},
                (proxy, method, args) -> method.getName().equals("getFilterName") ? "fix" : null));
        started.add(fix);
        return fix;
    }

    /** Filters a request as Tyrus's own filter would, behind this one: it upgrades to Tyrus's handler. */
    private void upgrade(TyrusReadDeadlockFix fix, Upgrades upgrades) throws Exception {
        fix.doFilter(upgrades.request(), response(), (handed, response) -> {
            handedOn.add(handed);
            upgradedTo.add(((HttpServletRequest) handed).upgrade(TyrusHttpUpgradeHandler.class));
        });
    }

    /** The container's upgrades, refusing Chorus' handler if told to (as a failed creation does). */
    private record Upgrades(boolean refuseChorus, AtomicInteger refused, boolean refuseTyrus) {
        Upgrades(boolean refuseChorus) {
            this(refuseChorus, new AtomicInteger(), false);
        }

        HttpServletRequest request() {
            return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                    (proxy, method, args) -> {
                        if (!method.getName().equals("upgrade")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        Class<?> type = (Class<?>) args[0];
                        if (type == DetachedReadHandler.class && refuseChorus || type == TyrusHttpUpgradeHandler.class && refuseTyrus) {
                            refused.incrementAndGet();
                            throw new ServletException("could not create " + type.getName());
                        }
                        return type.getConstructor().newInstance();
                    });
        }
    }

    private static HttpServletResponse response() {
        return (HttpServletResponse) Proxy.newProxyInstance(TyrusReadDeadlockFixTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Payara's response facade, over its response and output buffer, down to {@code buffer}, missing the step {@code missing}. */
    private static Object facade(String missing, Object buffer) {
        Object grizzly = "grizzlyOutputBuffer".equals(missing) ? new Object() : new OutputBuffer(buffer);
        Object response = "outputBuffer".equals(missing) ? new Object() : new Response(grizzly);
        return "response".equals(missing) ? new Object() : new Facade(response);
    }

    private record Facade(Object response) {
    }

    private record Response(Object outputBuffer) {
    }

    private record OutputBuffer(Object grizzlyOutputBuffer) {
    }

    /** Grizzly's output buffer, as far as sizing it goes. */
    public static final class GrizzlyBuffer {
        int size = 8192;

        public void setBufferSize(int size) {
            this.size = size;
        }
    }
}
