package dev.herald.platform;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Time-ordered ids (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, a 12-bit counter,
 * then random bits. The counter makes ids made by this process strictly increasing, also within
 * one millisecond (RFC 9562, method 1), so "newest first" lists keep the order things happened in.
 * The JDK only makes version 4, and this is the whole of version 7.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static int counter;

    private Ids() {
    }

    public static UUID newId() {
        long millis;
        int sequence;
        synchronized (Ids.class) {
            millis = Math.max(System.currentTimeMillis(), lastMillis);
            if (millis == lastMillis) {
                counter++;
                if (counter > 0x0FFF) {
                    // 4,096 ids in one millisecond: borrow the next millisecond.
                    millis++;
                    counter = 0;
                }
            } else {
                counter = 0;
            }
            lastMillis = millis;
            sequence = counter;
        }
        long high = (millis << 16) | 0x7000L | sequence;
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

    /**
     * The greatest id made at {@code at}'s millisecond: every id made here before or in it sorts
     * below or equal to it, as Postgres compares uuids byte by byte.
     */
    public static UUID upTo(Instant at) {
        return new UUID((at.toEpochMilli() << 16) | 0x7FFFL, 0xBFFFFFFFFFFFFFFFL);
    }

    /**
     * The 62 random bits of an id made here, without its variant bits: the base from which SQL's
     * herald_uuid_at(high, low, n) numbers a series of ids.
     */
    public static long randomBits(UUID id) {
        return id.getLeastSignificantBits() & 0x3FFFFFFFFFFFFFFFL;
    }

    /** Parses an id from a path or query; an id that is not a UUID names nothing, so it is 404. */
    public static UUID parse(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound(what, id);
        }
    }
}
