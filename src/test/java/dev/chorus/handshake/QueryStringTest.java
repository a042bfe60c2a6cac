package dev.chorus.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryStringTest {

    @Test
    void decodesNamesInAnyScriptAsUtf8() {
        Map<String, String[]> query = QueryString.decode("name=Jos%C3%A9&x=Cr%C3%AApe+br%C3%BBl%C3%A9e&y=%D0%90%D0%BB%D0%B8%D1%81%D0%B0"
                + "&z=%E6%9D%8E%E9%9B%B7&e=%F0%9F%90%B1");

        assertArrayEquals(new String[] {"José"}, query.get("name"));
        assertArrayEquals(new String[] {"Crêpe brûlée"}, query.get("x"));
        assertArrayEquals(new String[] {"Алиса"}, query.get("y"));
        assertArrayEquals(new String[] {"李雷"}, query.get("z"));
        assertArrayEquals(new String[] {"🐱"}, query.get("e"));
    }

    @Test
    void keepsRepeatedParametersInOrderAndTakesBareKeysAsEmpty() {
        Map<String, String[]> query = QueryString.decode("since=1&since=2&flag&&");

        assertArrayEquals(new String[] {"1", "2"}, query.get("since"));
        assertArrayEquals(new String[] {""}, query.get("flag"));
        assertTrue(QueryString.decode(null).isEmpty());
    }

    @Test
    void refusesAMalformedEscape() {
        assertThrows(IllegalArgumentException.class, () -> QueryString.decode("name=%ZZ"));
        assertThrows(IllegalArgumentException.class, () -> QueryString.decode("name=abc%E"));
    }
}
