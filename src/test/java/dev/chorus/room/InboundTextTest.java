package dev.chorus.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InboundTextTest {

    @Test
    void countsUtf8BytesWithoutEncoding() {
        assertEquals("aé€🐱".getBytes(StandardCharsets.UTF_8).length, InboundText.utf8Length("aé€🐱"));
    }
}
