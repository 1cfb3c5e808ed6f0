package dev.vireo.http;

/**
 * One byte range of a {@code Range} request header (RFC 9110 §14.1.2, §14.2): {@code bytes=a-b},
 * {@code bytes=a-} or {@code bytes=-n}. Several ranges are not supported (the whole representation
 * is sent instead, which §14.2 allows). Pure.
 *
 * @param first the first byte position
 * @param length how many bytes
 */
public record ByteRange(long first, long length) {

    /** What a {@code Range} header asks of a representation of {@code size} bytes. */
    public sealed interface Ask permits Whole, Part, Unsatisfiable {
    }

    /** No (usable) range: send everything (§14.2: a server may ignore a Range it does not support). */
    public record Whole() implements Ask {
    }

    /** A 206 with this range. */
    public record Part(ByteRange range) implements Ask {
    }

    /** A 416 (§15.5.17): the range starts past the end. */
    public record Unsatisfiable() implements Ask {
    }

    public long last() {
        return first + length - 1;
    }

    /** The {@code Content-Range} value (§14.4). */
    public String contentRange(long size) {
        return "bytes " + first + "-" + last() + "/" + size;
    }

    public static Ask parse(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0 || h.length() > 48) {
            return new Whole();
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                // suffix range: the last n bytes (§14.1.3)
                long n = Long.parseLong(b);
                if (n <= 0) {
                    return new Unsatisfiable();
                }
                long len = Math.min(n, size);
                return len == 0 ? new Unsatisfiable() : new Part(new ByteRange(size - len, len));
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first < 0 || !b.isEmpty() && Long.parseLong(b) < first) {
                return new Whole(); // invalid syntax: ignored
            }
            if (first >= size) {
                return new Unsatisfiable();
            }
            return new Part(new ByteRange(first, last - first + 1));
        } catch (NumberFormatException e) {
            return new Whole();
        }
    }
}
