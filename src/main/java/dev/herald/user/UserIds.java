package dev.herald.user;

/**
 * What a user id may be: 1 to 128 characters, no control character (NUL included), no space at
 * either end, and not {@code .} or {@code ..}, which no URL path can name. So every user that
 * can be written can also be read and erased at {@code /users/{id}}.
 */
public final class UserIds {

    public static final int MAX_LENGTH = 128;

    private UserIds() {
    }

    /** What is wrong with an id that would create or reach a user, or null when it is fine. */
    public static String problem(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return "must be 1 to " + MAX_LENGTH + " characters";
        }
        if (id.equals(".") || id.equals("..")) {
            return "must not be '.' or '..', which a URL path cannot name";
        }
        if (Character.isWhitespace(id.charAt(0)) || Character.isWhitespace(id.charAt(id.length() - 1))) {
            return "must not start or end with white space";
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return "must not contain control characters (found U+" + String.format("%04X", (int) id.charAt(i))
                        + " at position " + (i + 1) + ")";
            }
        }
        return null;
    }
}
