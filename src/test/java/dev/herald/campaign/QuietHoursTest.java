package dev.herald.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalTime;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.user.User;

/** When a webhook due inside quiet hours may go (contract section 2.3), across midnight and zones. */
class QuietHoursTest {

    private static User userIn(String zone) {
        ObjectNode attributes = JsonNodeFactory.instance.objectNode();
        if (!zone.isEmpty()) {
            attributes.put("timeZone", zone);
        }
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        return new User("u", attributes, created, created);
    }

    @ParameterizedTest(name = "{0}-{1} in {2} (user {3}) at {4}")
    @CsvSource(delimiter = ';', nullValues = "none", value = {
            // Across midnight, Berlin in winter (UTC+1): 23:30 and 02:00 local are inside, 12:00 is not.
            "22:00; 08:00; Europe/Berlin; ; 2026-12-02T22:30:00Z; 2026-12-03T07:00:00Z",
            "22:00; 08:00; Europe/Berlin; ; 2026-12-03T01:00:00Z; 2026-12-03T07:00:00Z",
            "22:00; 08:00; Europe/Berlin; ; 2026-12-03T11:00:00Z; none",
            // The end itself is outside; the start is inside.
            "22:00; 08:00; Europe/Berlin; ; 2026-12-03T07:00:00Z; none",
            "22:00; 08:00; Europe/Berlin; ; 2026-12-02T21:00:00Z; 2026-12-03T07:00:00Z",
            // Within one day.
            "12:00; 14:00; UTC; ; 2026-12-02T13:59:00Z; 2026-12-02T14:00:00Z",
            "12:00; 14:00; UTC; ; 2026-12-02T14:00:00Z; none",
            // Each user's own zone: 23:00 UTC is 18:00 in New York (outside) and 08:00 in Tokyo (inside).
            "22:00; 09:00; user; America/New_York; 2026-12-02T23:00:00Z; none",
            "22:00; 09:00; user; Asia/Tokyo; 2026-12-02T23:00:00Z; 2026-12-03T00:00:00Z",
            // No zone, or one that does not exist: UTC.
            "22:00; 09:00; user; ; 2026-12-02T23:00:00Z; 2026-12-03T09:00:00Z",
            "22:00; 09:00; user; Mars/Olympus; 2026-12-02T23:00:00Z; 2026-12-03T09:00:00Z",
            // A night on which the clocks go back (New York, 2026-11-01): the end is read in local time.
            "00:00; 03:00; America/New_York; ; 2026-11-01T05:30:00Z; 2026-11-01T08:00:00Z",
            // Start equal to end: never quiet.
            "10:00; 10:00; UTC; ; 2026-12-02T10:00:00Z; none" })
    void quietUntil(String start, String end, String zone, String userZone, String at, String until) {
        QuietHours quiet = new QuietHours(LocalTime.parse(start), LocalTime.parse(end), zone);
        Instant found = quiet.endAround(Instant.parse(at), userIn(userZone == null ? "" : userZone));
        assertThat(found).isEqualTo(until == null ? null : Instant.parse(until));
    }
}
