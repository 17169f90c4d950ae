package dev.herald.platform;

import java.util.List;

/**
 * An error that reaches the client as a problem document. Thrown by services and resources; the
 * message must say what the caller should fix.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final List<FieldError> errors;
    private final Integer retryAfterSeconds;

    public ProblemException(int status, String slug, String title, String detail, List<FieldError> errors) {
        this(status, slug, title, detail, errors, null);
    }

    private ProblemException(int status, String slug, String title, String detail, List<FieldError> errors,
            Integer retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ProblemException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid; see errors.";
        return new ProblemException(400, "invalid-request", "Invalid request", detail, errors);
    }

    public static ProblemException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "invalid-request", "Invalid request", detail, null);
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(404, "not-found", "Not found", "No " + what + " has the id '" + id + "'.", null);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "conflict", "Not allowed in the current state", detail, null);
    }

    /** 429: nothing of the request was taken; the same request may be sent again after {@code seconds}. */
    public static ProblemException tooMany(String detail, int seconds) {
        return new ProblemException(429, "too-many-requests", "Too many requests", detail, null, seconds);
    }

    public int status() {
        return status;
    }

    /** The fields at fault, each with what to fix; empty when the problem is not about fields. */
    public List<FieldError> errors() {
        return errors == null ? List.of() : errors;
    }

    /** Seconds the client should wait before sending the request again; null when any time will do. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Problem toProblem() {
        return new Problem(Problems.type(slug), title, status, getMessage(), errors);
    }
}
