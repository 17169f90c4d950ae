package dev.herald.template;

/**
 * A template could not be rendered into a request Herald can send (a limit was passed, a value
 * cannot stand where it landed): the delivery's fault, never its destination's.
 */
public class RenderException extends RuntimeException {

    public RenderException(String message) {
        super(message, null, false, false);
    }
}
