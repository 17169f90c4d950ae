package dev.herald.platform;

import io.vertx.ext.web.RoutingContext;

/** Constants shared by every REST resource of the public API, and the path filters decide by. */
public final class Api {

    /** The base path of the public API (contract section 1). */
    public static final String BASE = "/api/v1";

    public static final String PROBLEM_JSON = "application/problem+json";

    private Api() {
    }

    /**
     * The path a request is routed by, which every filter that decides by path must read: dot
     * segments and empty segments removed and unreserved characters decoded, as the router
     * matches resources (the raw path let {@code /./api/v1/...} past the API key check), and
     * without a trailing slash, which the router ignores too. An encoded '/' stays encoded, so
     * an id holding one stays one segment.
     */
    public static String routedPath(RoutingContext routing) {
        String path = routing.normalizedPath();
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
