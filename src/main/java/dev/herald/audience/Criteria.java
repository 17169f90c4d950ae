package dev.herald.audience;

import java.util.Set;
import java.util.HashSet;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** A parsed criteria tree (contract section 4): for audiences, action conditions and trigger filters. */
public sealed interface Criteria {

    record All(List<Criteria> parts) implements Criteria {
    }

    record Any(List<Criteria> parts) implements Criteria {
    }

    record Not(Criteria part) implements Criteria {
    }

    /** A test of a user attribute. */
    record Attribute(String name, Operator op, JsonNode value) implements Criteria {
    }

    /** A test of an event parameter (in a trigger's {@code where}). */
    record Param(String name, Operator op, JsonNode value) implements Criteria {
    }

    /** A test of the user id. */
    record UserId(Operator op, JsonNode value) implements Criteria {
    }

    /** The user's stable bucket, 0 to 999, is between {@code from} and {@code to}. */
    record Bucket(int from, int to) implements Criteria {
    }

    /** The user was first seen within the period. */
    record CreatedWithin(Duration period) implements Criteria {
    }

    /**
     * The user tracked {@code event} a number of times that passes {@code countOp countValue}, in
     * the last {@code within} (null: ever), counting only events whose parameters match {@code where}.
     */
    record EventCount(String event, Operator countOp, long countValue, Duration within, Criteria where)
            implements Criteria {
    }

    /** The event names a tree counts, so callers load only those events. */
    static Set<String> eventNames(Criteria criteria) {
        Set<String> names = new HashSet<>();
        collect(criteria, names);
        return names;
    }

    private static void collect(Criteria criteria, Set<String> names) {
        if (criteria instanceof All all) {
            all.parts().forEach(part -> collect(part, names));
        } else if (criteria instanceof Any any) {
            any.parts().forEach(part -> collect(part, names));
        } else if (criteria instanceof Not not) {
            collect(not.part(), names);
        } else if (criteria instanceof EventCount count) {
            names.add(count.event());
        }
    }
}
