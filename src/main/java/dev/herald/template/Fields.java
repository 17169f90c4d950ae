package dev.herald.template;

import java.util.Map;

/**
 * A named set of values that templates read by name ({@code user.plan}) or, for names that are
 * not identifiers, with {@code attr('First name')}. Only these maps, never Java objects, are
 * visible to templates, so rendering cannot reach outside the names the contract lists.
 */
public record Fields(Map<String, Object> values) {
}
