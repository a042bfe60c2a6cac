package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerEventsTest {

    private static JsonObject parse(String frame) {
        try (var reader = Json.createReader(new StringReader(frame))) {
            return reader.readObject();
        }
    }

    @Test
    void anyTextSurvivesTheRoundTripUnchanged() {
        String text = "quote \" backslash \\ newline \n tab \t nul \u0000 emoji \uD83C\uDFB5 </script>";
        ChatMessage message = new ChatMessage("lobby", 7, "zoë", text, Instant.parse("2026-11-25T09:19:07.123456Z"));

        JsonObject event = parse(ServerEvents.message(message));

        assertEquals("message", event.getString("type"));
        assertEquals(text, event.getString("text"));
        assertEquals("zoë", event.getString("from"));
        assertEquals(7, event.getInt("id"));
        assertEquals("2026-11-25T09:19:07.123Z", event.getString("ts"), "ISO-8601 UTC to the millisecond");
    }

    @Test
    void welcomeNestsTheHistoryAsMessageEvents() {
        ChatMessage kept = new ChatMessage("lobby", 3, "bob", "hi", Instant.EPOCH);

        JsonObject welcome = parse(ServerEvents.welcome("alice", "lobby", "k3x9", 2, List.of("alice", "bob"), List.of(ServerEvents.message(kept))));

        assertEquals("alice", welcome.getString("you"));
        assertEquals(parse(ServerEvents.message(kept)), welcome.getJsonArray("history").getJsonObject(0));
        assertEquals(2, welcome.getJsonArray("members").size());
    }
}
