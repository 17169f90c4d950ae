package dev.herald.audience;

import java.util.Arrays;

/** The operators of a criteria test, as named in JSON. */
public enum Operator {
    EQ("eq"), NE("ne"), GT("gt"), GTE("gte"), LT("lt"), LTE("lte"), IN("in"), NOT_IN("notIn"),
    CONTAINS("contains"), STARTS_WITH("startsWith"), EXISTS("exists"), NOT_EXISTS("notExists"),
    BETWEEN("between");

    final String json;

    Operator(String json) {
        this.json = json;
    }

    static Operator of(String name) {
        return Arrays.stream(values()).filter(op -> op.json.equals(name)).findFirst().orElse(null);
    }

    static String names() {
        return String.join(", ", Arrays.stream(values()).map(op -> op.json).toList());
    }
}
