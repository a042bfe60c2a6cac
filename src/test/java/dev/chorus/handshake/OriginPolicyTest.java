package dev.chorus.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private static final String OWN = "http://localhost:8080";

    private final OriginPolicy policy = OriginPolicy.of(" https://chat.example.org , ,https://Other.example.org/", true);

    @Test
    void allowsTheServersOwnOriginAndTheConfiguredOnesExactly() {
        assertTrue(policy.allows("http://localhost:8080", OWN));
        assertTrue(policy.allows("HTTP://LOCALHOST:8080", OWN), "scheme and host are case-insensitive");
        assertTrue(policy.allows("https://chat.example.org", OWN));
        assertTrue(policy.allows("https://other.example.org", OWN));
    }

    @Test
    void refusesEverythingElseWithoutSubstringOrWildcardMatching() {
        assertFalse(policy.allows("http://localhost:8081", OWN), "another port is another origin");
        assertFalse(policy.allows("https://localhost:8080", OWN), "another scheme is another origin");
        assertFalse(policy.allows("https://chat.example.org.evil.com", OWN));
        assertFalse(policy.allows("https://evil.com/https://chat.example.org", OWN));
        assertFalse(policy.allows("https://xchat.example.org", OWN));
        assertFalse(policy.allows("null", OWN), "sandboxed pages send the origin null");
    }

    @Test
    void aMissingOriginIsAllowedOnlyWhenConfiguredSo() {
        assertTrue(policy.allows(null, OWN));
        assertFalse(OriginPolicy.of("", false).allows(null, OWN));
        assertFalse(OriginPolicy.of("", false).allows("", OWN));
    }

    @Test
    void toleratesRepeatedBlankEntriesAndRepeatedOrigins() {
        // Set.of on the raw split refused these with an exception, failing the deployment.
        OriginPolicy repeated = OriginPolicy.of(",, ,https://chat.example.org,https://chat.example.org", true);

        assertTrue(repeated.allows("https://chat.example.org", OWN));
    }
}
