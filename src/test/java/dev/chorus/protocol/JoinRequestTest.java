package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JoinRequestTest {

    private static Map<String, List<String>> query(String... keyValues) {
        Map<String, List<String>> parameters = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            parameters.put(keyValues[i], List.of(keyValues[i + 1]));
        }
        return parameters;
    }

    @Test
    void takesTheTrimmedNameAndTheResumePoint() {
        JoinRequest request = JoinRequest.of("lobby", null, query("name", "  Zoë Smith-Jones_2.0 ", "since", "41"));

        assertEquals(new JoinRequest("lobby", "Zoë Smith-Jones_2.0", Resume.after(41), false), request);
    }

    @Test
    void theAuthenticatedPrincipalWinsOverTheRequestedName() {
        Principal principal = () -> "carol@example.org";

        JoinRequest request = JoinRequest.of("lobby", principal, query("name", "mallory"));

        assertEquals("carol@example.org", request.name());
    }

    @Test
    void whereSignInIsRequiredOnlyAnAuthenticatedClientMayJoin() {
        var refused = assertThrows(JoinRequest.InvalidRequest.class,
                () -> JoinRequest.of("lobby", null, query("name", "mallory"), true));
        assertEquals(JoinRequest.SIGN_IN_RULE, refused.getMessage());

        assertEquals("carol", JoinRequest.of("lobby", () -> "carol", query("name", "mallory"), true).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "a#2", "<b>", "x\ny", "123456789012345678901234567890123"})
    void refusesNamesOutsideTheRules(String name) {
        var refused = assertThrows(JoinRequest.InvalidRequest.class,
                () -> JoinRequest.of("lobby", null, query("name", name)));
        assertEquals(JoinRequest.NAME_RULE, refused.getMessage());
    }

    @Test
    void refusesAMissingName() {
        assertThrows(JoinRequest.InvalidRequest.class, () -> JoinRequest.of("lobby", null, Map.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "...", "has space", "semi;colon", "slash/", "12345678901234567890123456789012345678901234567890123456789012345"})
    void refusesRoomNamesOutsideTheRules(String room) {
        var refused = assertThrows(JoinRequest.InvalidRequest.class,
                () -> JoinRequest.of(room, null, query("name", "alice")));
        assertEquals(JoinRequest.ROOM_RULE, refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "soon", "1.5", "99999999999999999999"})
    void refusesAResumePointThatIsNotAMessageId(String since) {
        var refused = assertThrows(JoinRequest.InvalidRequest.class,
                () -> JoinRequest.of("lobby", null, query("name", "alice", "since", since)));
        assertEquals(JoinRequest.SINCE_RULE, refused.getMessage());
    }

    @Test
    void roomNamesMayHoldDotsBesideOtherCharacters() {
        assertEquals("v1.2", JoinRequest.of("v1.2", null, query("name", "alice")).room());
        assertEquals(".hidden", JoinRequest.of(".hidden", null, query("name", "alice")).room());
    }

    @Test
    void aResumeMayNameItsNumbering() {
        assertEquals(Resume.after(41, "k3x9"),
                JoinRequest.of("lobby", null, query("name", "alice", "since", "41", "epoch", "k3x9")).resume());
        var refused = assertThrows(JoinRequest.InvalidRequest.class,
                () -> JoinRequest.of("lobby", null, query("name", "alice", "since", "41", "epoch", "NOT/ours")));
        assertEquals(JoinRequest.EPOCH_RULE, refused.getMessage());
    }

    @Test
    void aClientOptsInToSeveralEventsPerFrame() {
        assertTrue(JoinRequest.of("lobby", null, query("name", "alice", "batch", "1")).batched());
        assertFalse(JoinRequest.of("lobby", null, query("name", "alice", "batch", "0")).batched());
        assertFalse(JoinRequest.of("lobby", null, query("name", "alice")).batched());
        var refused = assertThrows(JoinRequest.InvalidRequest.class,
                () -> JoinRequest.of("lobby", null, query("name", "alice", "batch", "yes")));
        assertEquals(JoinRequest.BATCH_RULE, refused.getMessage());
    }

    @Test
    void closeReasonsFitTheProtocolLimitOf123Bytes() {
        for (String reason : List.of(JoinRequest.ROOM_RULE, JoinRequest.NAME_RULE, JoinRequest.SINCE_RULE,
                JoinRequest.BATCH_RULE, JoinRequest.EPOCH_RULE, JoinRequest.SIGN_IN_RULE)) {
            assertTrue(reason.getBytes(StandardCharsets.UTF_8).length <= 123, reason);
        }
    }
}
