package dev.chorus.testsupport;

import dev.chorus.api.RoomPolicy;
import jakarta.enterprise.context.ApplicationScoped;

/** A room policy as an application adds one to the WAR: room "staff" for staff only, and no spam anywhere. */
@ApplicationScoped
public class StaffOnlyPolicy implements RoomPolicy {

    @Override
    public Verdict mayJoin(String room, String user) {
        return room.equals("staff") && !user.startsWith("staff-") ? Verdict.refuse("staff only") : Verdict.ALLOW;
    }

    @Override
    public Verdict mayPost(String room, String member, String text) {
        return text.contains("spam") ? Verdict.refuse("no spam here") : Verdict.ALLOW;
    }
}
