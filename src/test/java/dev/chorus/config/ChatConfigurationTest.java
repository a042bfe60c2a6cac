package dev.chorus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What /api/settings shows of a Redis URI: where it points, never its credentials. */
class ChatConfigurationTest {

    @Test
    void aRedisUriIsShownWithoutItsCredentialsWhateverTheirShape() {
        assertEquals("redis://***@127.0.0.1:6379/0", ChatConfiguration.withoutCredentials("redis://chorus:s3cret@127.0.0.1:6379/0"));
        assertEquals("rediss://***@redis.internal:6380", ChatConfiguration.withoutCredentials("rediss://:pw@redis.internal:6380"));
        assertEquals("REDIS://***@host:6379/0", ChatConfiguration.withoutCredentials("REDIS://user:pw@host:6379/0"), "upper-case scheme");
        assertEquals("redis-sentinel://***@h1:26379,h2:26379/0#primary",
                ChatConfiguration.withoutCredentials("redis-sentinel://user:pw@h1:26379,h2:26379/0#primary"));
        assertEquals("redis://***@host:6379/0", ChatConfiguration.withoutCredentials("redis://user:pa/ss@w@host:6379/0"),
                "a password with / and @ in it");
        assertEquals("redis://host:6379/0", ChatConfiguration.withoutCredentials("redis://host:6379/0"));
        assertEquals("", ChatConfiguration.withoutCredentials(""));
    }
}
