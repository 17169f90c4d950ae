package dev.herald.console;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.herald.platform.ProblemException;

/** A problem met on a console page, shown as a page with a way back. */
final class ErrorPage {

    private ErrorPage() {
    }

    static Response of(ProblemException problem, Chrome chrome) {
        return Response.status(problem.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Pages.error(chrome, problem.status(), problem.getMessage())).build();
    }
}
