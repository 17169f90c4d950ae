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

    public ProblemException(int status, String slug, String title, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
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

    public int status() {
        return status;
    }

    /** The fields at fault, each with what to fix; empty when the problem is not about fields. */
    public List<FieldError> errors() {
        return errors == null ? List.of() : errors;
    }

    public Problem toProblem() {
        return new Problem(Problems.type(slug), title, status, getMessage(), errors);
    }
}
