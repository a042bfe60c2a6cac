package dev.chorus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What /api/settings shows of a URI that may carry credentials (the Redis URI, the webhook's and
 * the policy's): where it points, never a user name or password, whatever their shape.
 */
class RedactedUriTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # written                                              | shown
            redis://chorus:s3cret@127.0.0.1:6379/0                 | redis://***@127.0.0.1:6379/0
            redis://s3cret@host                                    | redis://***@host
            rediss://:pw@redis.internal:6380                       | rediss://***@redis.internal:6380
            REDIS://user:pw@host:6379/0                            | REDIS://***@host:6379/0
            Rediss://user:pw@host                                  | Rediss://***@host
            redis-sentinel://user:pw@h1:26379,h2:26379/0#primary   | redis-sentinel://***@h1:26379,h2:26379/0#primary
            REDIS-SENTINEL://:pw@h1:26379?sentinelMasterId=main    | REDIS-SENTINEL://***@h1:26379?sentinelMasterId=main
            rediss-sentinel://user:pw@h1,h2,h3/1#main              | rediss-sentinel://***@h1,h2,h3/1#main
            redis://user:pa/ss@host:6379/0                         | redis://***@host:6379/0
            redis://user:12/34@host:6379/0                         | redis://***@host:6379/0
            redis://user:pa/ss@w@host:6379/0                       | redis://***@host:6379/0
            redis://:p#ss@host:6379                                | redis://***@host:6379
            redis://:p?ss@host:6379                                | redis://***@host:6379
            redis://:p:s@s@host                                    | redis://***@host
            redis://us%40er:p%2Fw@host                             | redis://***@host
            rediss://:pw@[::1]:6380/2?timeout=5s                   | rediss://***@[::1]:6380/2?timeout=5s
            redis-socket://:pw@/var/run/redis.sock?database=1      | redis-socket://***@/var/run/redis.sock?database=1
            redis+ssl://user:pw@host                               | redis+ssl://***@host
            redis://host:6379/0                                    | redis://host:6379/0
            redis://host/0?clientName=ops@chorus                   | redis://host/0?clientName=ops@chorus
            redis://:pw@host/0?clientName=ops@chorus               | redis://***@host/0?clientName=ops@chorus
            https://hooks.example/in?to=ops@example.com            | https://hooks.example/in?to=ops@example.com
            https://bot:t0ken@hooks.example/in                     | https://***@hooks.example/in
            HTTPS://bot:t0ken@hooks.example:8443/in?x=1#f          | HTTPS://***@hooks.example:8443/in?x=1#f
            user:pw@host:6379                                      | ***@host:6379
            host:6379                                              | host:6379
            ''                                                     | ''
            """)
    void showsWhereAUriPointsButNeverItsCredentials(String written, String shown) {
        assertEquals(shown, RedactedUri.of(written));
    }
}
