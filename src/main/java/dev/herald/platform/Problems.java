package dev.herald.platform;

import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * Turns every exception that leaves a resource into a problem document, so that no stack trace,
 * SQL or class name ever reaches a client.
 */
public class Problems {

    private static final Logger LOG = Logger.getLogger(Problems.class);

    static String type(String slug) {
        return "https://herald.dev/problems/" + slug;
    }

    public static Response response(Problem problem) {
        return Response.status(problem.status()).type(Api.PROBLEM_JSON).entity(problem).build();
    }

    public static Response response(ProblemException e) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Api.PROBLEM_JSON).entity(e.toProblem());
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return response(e);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonParseException e) {
        return notJson(e);
    }

    private static Response notJson(JsonParseException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return response(ProblemException.badRequest("The body is not valid JSON" + where + "."));
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return wrongShape(e);
    }

    @ServerExceptionMapper
    public Response mapping(JsonMappingException e) {
        return wrongShape(e);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return response(ProblemException.badRequest("The body could not be read as JSON."));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        // The JSON reader reports unreadable bodies as a bare 400 that wraps Jackson's exception.
        if (e.getCause() instanceof JsonParseException parse) {
            return unreadable(parse);
        }
        if (e.getCause() instanceof JsonMappingException mapping) {
            return wrongShape(mapping);
        }
        int status = e.getResponse().getStatus();
        String detail;
        if (e instanceof NotFoundException) {
            detail = "No such resource. The API lives under " + Api.BASE + "; see /q/openapi.";
        } else if (e instanceof NotAllowedException) {
            detail = "This method is not allowed here. Allowed: " + e.getResponse().getAllowedMethods() + ".";
        } else if (e instanceof NotSupportedException) {
            detail = "Send the body as application/json.";
        } else if (e instanceof NotAuthorizedException) {
            detail = "Send an API key as 'Authorization: Bearer <key>'.";
        } else if (status == 413) {
            detail = "The body is larger than the limit (herald.http.max-body).";
        } else {
            detail = Response.Status.fromStatusCode(status) == null ? "The request failed."
                    : Response.Status.fromStatusCode(status).getReasonPhrase() + ".";
        }
        String title = Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase();
        return response(new Problem(type(slugOf(status)), title, status, detail, null));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (DatabaseOutage.isOutage(e)) {
            DatabaseOutage.report("answering a request", e);
            return Response.status(503).type(Api.PROBLEM_JSON)
                    .header("Retry-After", DatabaseOutage.RETRY_AFTER_SECONDS)
                    .entity(new Problem(type("database-unavailable"), "Database unavailable", 503,
                            "Herald cannot reach its database right now, so nothing of this request was stored. "
                                    + "Retrying the same request is safe; try again in "
                                    + DatabaseOutage.RETRY_AFTER_SECONDS + " seconds.", null))
                    .build();
        }
        LOG.error("Unexpected error while answering a request", e);
        return response(new Problem(type("internal-error"), "Internal error", 500,
                "Herald could not complete the request. It has been logged; try again.", null));
    }

    private static Response wrongShape(JsonMappingException e) {
        if (e.getCause() instanceof JsonParseException parse) {
            return notJson(parse);
        }
        if (e.getOriginalMessage() != null && e.getOriginalMessage().contains("end-of-input")) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return response(ProblemException.badRequest("The body is not valid JSON: it ends" + where
                    + ", before the document does."));
        }
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
            return response(ProblemException.badRequest("The body is not valid JSON: there is more after the "
                    + "document, which must be one JSON value."));
        }
        String field = path(e.getPath());
        if (e instanceof StrictJson.Unstorable unstorable) {
            String where = field + unstorable.inside();
            return response(ProblemException.invalid(where.isEmpty() ? "body" : where.replaceFirst("^\\.", ""),
                    e.getOriginalMessage()));
        }
        String expected = e instanceof MismatchedInputException m && m.getTargetType() != null
                ? describe(m.getTargetType())
                : null;
        String message = expected == null ? "has the wrong type or shape" : "must be " + expected;
        if (field.isEmpty()) {
            return response(ProblemException.badRequest("The body must be a JSON object of the documented shape."));
        }
        return response(ProblemException.invalid(field, message));
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : references) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String slugOf(int status) {
        return switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "body-too-large";
            case 415 -> "unsupported-media-type";
            default -> status >= 500 ? "internal-error" : "invalid-request";
        };
    }

    /** Collects field errors while a request is validated, then throws them all at once. */
    public static final class Collector {
        private final List<FieldError> errors = new ArrayList<>();

        public Collector add(String field, String message) {
            errors.add(new FieldError(field, message));
            return this;
        }

        public boolean isEmpty() {
            return errors.isEmpty();
        }

        /** How many failures are collected so far. */
        public int size() {
            return errors.size();
        }

        public void throwIfAny() {
            if (!errors.isEmpty()) {
                throw ProblemException.invalid(errors);
            }
        }
    }
}
