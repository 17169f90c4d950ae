package dev.herald.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * Refuses a request body over {@code herald.http.max-body} with a 413 problem document, however
 * it is sent: a declared Content-Length is refused before anything is read, and a chunked body
 * as soon as what arrived passes the limit, so no request ever holds more than the limit in memory.
 */
@ApplicationScoped
public class BodyLimit {

    private final long maxBody;
    private final ObjectMapper mapper;

    public BodyLimit(HttpConfig config, ObjectMapper mapper) {
        this.maxBody = config.maxBody().asLongValue();
        this.mapper = mapper;
    }

    void install(@Observes Router router) {
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(maxBody).setDeleteUploadedFilesOnEnd(true);
        router.route().order(-3).handler(context -> {
            if (context.request().getHeader(HttpHeaders.CONTENT_LENGTH) != null) {
                declaredLength(context);
            } else if (context.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
                // No length to judge by: read the body here, counting, and stop at the limit.
                chunked.handle(context);
            } else {
                context.next();
            }
        });
        // An empty chunked body leaves no body behind, and the request has ended: give the API an
        // empty one, or it would wait for data that already came.
        router.route().order(-3).handler(context -> {
            if (context.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null
                    && context.request().getHeader(HttpHeaders.CONTENT_LENGTH) == null
                    && context.body().buffer() == null && context.request().isEnded()) {
                ((RoutingContextInternal) context).setBody(Buffer.buffer());
            }
            context.next();
        });
        router.route().order(-3).failureHandler(context -> {
            if (context.statusCode() == 413) {
                refuse(context, "The body is larger than " + maxBody + " bytes (herald.http.max-body).");
            } else if (context.failure() instanceof HttpClosedException) {
                // The client went away while sending: there is no one to answer.
                return;
            } else {
                context.next();
            }
        });
    }

    /** A declared length over the limit is refused before anything of the body is read. */
    private void declaredLength(RoutingContext context) {
        long size;
        try {
            size = Long.parseLong(context.request().getHeader(HttpHeaders.CONTENT_LENGTH).trim());
        } catch (NumberFormatException e) {
            // The HTTP codec has already refused a malformed length; nothing to judge here.
            size = -1;
        }
        if (size > maxBody) {
            refuse(context, "The body has " + size + " bytes; the limit is " + maxBody + " (herald.http.max-body).");
            return;
        }
        context.next();
    }

    private void refuse(RoutingContext context, String detail) {
        String body;
        try {
            body = mapper.writeValueAsString(new Problem(Problems.type("body-too-large"), "Body too large", 413,
                    detail, null));
        } catch (JsonProcessingException e) {
            body = "{\"status\": 413}";
        }
        // The rest of the body is not read: the connection cannot be reused.
        context.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, Api.PROBLEM_JSON)
                .putHeader(HttpHeaders.CONNECTION, "close").end(body);
    }
}
