package dev.herald.platform;

/** Constants shared by every REST resource of the public API. */
public final class Api {

    /** The base path of the public API (contract section 1). */
    public static final String BASE = "/api/v1";

    public static final String PROBLEM_JSON = "application/problem+json";

    private Api() {
    }
}
