package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.config.ChatSettings;
import dev.chorus.handshake.HandshakeRate;
import dev.chorus.handshake.HandshakeRules;
import dev.chorus.handshake.TrustedProxies;
import dev.chorus.testsupport.ChatFixture;
import dev.chorus.testsupport.Settings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.core.SecurityContext;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Who may read a room's member list, and how often. */
class RoomsResourceTest {

    @RegisterExtension
    final ChatFixture chat = new ChatFixture(ChatSettings.DEFAULTS);

    /**
     * At one read a second (two at once), a page that reads the list now and then reads it; one
     * that loops gets 429 (the 429, its Retry-After and the 401's text are the resource's own).
     */
    @Test
    void anAddressThatReadsTheMemberListTooOftenGets429UntilItsRateAllowsAgain() {
        RoomsResource fromOneAddress = resource("192.0.2.7", null);

        assertNull(refusal(fromOneAddress));
        assertNull(refusal(fromOneAddress));

        assertEquals(Status.TOO_MANY_REQUESTS, refusal(fromOneAddress));
        assertNull(refusal(resource("192.0.2.8", null)), "another address has its own rate");
        chat.nanos += 1_000_000_000L;
        assertNull(refusal(fromOneAddress), "a second later, a read is allowed again");
    }

    @Test
    void whereRoomsNeedSignInAnAnonymousCallerGets401AndASignedInUserTheList() {
        chat.configure(Settings.defaultsWith(new ChatSettings.Access(true)));

        assertEquals(Status.UNAUTHORIZED, refusal(resource("192.0.2.7", null)));
        assertNull(refusal(resource("192.0.2.7", () -> "bob")));
    }

    /** Why the resource refuses a read of a page of 100 names (null: it answers the list). */
    private static Status refusal(RoomsResource resource) {
        return resource.membersRefusal(100);
    }

    /** The resource as the container makes it for one request from {@code address}, by {@code user} (null: anonymous). */
    private RoomsResource resource(String address, Principal user) {
        RoomsResource resource = new RoomsResource();
        resource.registry = chat.rooms;
        resource.settings = chat.settings;
        resource.security = signedInAs(user);
        resource.rate = rate;
        resource.rules = noProxies;
        resource.request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRemoteAddr" -> address;
                    case "getHeaders" -> Collections.emptyEnumeration();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return resource;
    }

    /** One read a second per address, two at once: shared by every request, as the bean is. */
    private final HandshakeRate rate = new HandshakeRate(1, chat.clocks);

    private final HandshakeRules noProxies = new HandshakeRules() {
        @Override
        public TrustedProxies proxies() {
            return TrustedProxies.of("");
        }
    };

    private static SecurityContext signedInAs(Principal user) {
        return new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return user;
            }

            @Override
            public boolean isUserInRole(String role) {
                return false;
            }

            @Override
            public boolean isSecure() {
                return false;
            }

            @Override
            public String getAuthenticationScheme() {
                return user == null ? null : SecurityContext.BASIC_AUTH;
            }
        };
    }
}
