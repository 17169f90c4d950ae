package dev.herald.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Users for tests, stored through {@code PUT /users/{id}}: a unique id from a prefix, and
 * attributes added one at a time as the JSON scalars the contract allows.
 */
public final class Users {

    private Users() {
    }

    /** A user with a unique id starting with {@code prefix} and no attributes yet. */
    public static User user(String prefix) {
        return new User(Http.userId(prefix));
    }

    /** A user being described; nothing is stored until {@link #put()}. */
    public static final class User {
        private final String id;
        private final Map<String, Object> attributes = new LinkedHashMap<>();

        private User(String id) {
            this.id = id;
        }

        public User with(String name, String value) {
            attributes.put(name, value);
            return this;
        }

        public User with(String name, Number value) {
            attributes.put(name, value);
            return this;
        }

        public User with(String name, boolean value) {
            attributes.put(name, value);
            return this;
        }

        /** The attribute local send times and quiet hours read; an unknown zone is kept as given. */
        public User timeZone(String zone) {
            return with("timeZone", zone);
        }

        /** Stores the user and returns its id. */
        public String put() {
            Http.putUser(id, attributes);
            return id;
        }
    }
}
