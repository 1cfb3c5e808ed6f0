package dev.vireo.control.access;

/**
 * The {@code auth_key} of a Type A signed URL: {@code {timestamp}-{rand}-{uid}-{md5hash}}
 * (DESIGN.md "URL signing (Type A)"). The timestamp is the first field, the hash the last; rand is
 * the second field and uid everything between rand and the hash.
 *
 * @param timestamp Unix seconds, as given (kept as text so refusals echo it unchanged)
 * @param md5hash 32 hex digits, as given
 */
public record AuthKey(String timestamp, String rand, String uid, String md5hash) {

    /** Longest auth_key accepted; a real one is about 80 characters. */
    static final int MAX_LENGTH = 512;

    /** @return the parsed key, or null when {@code value} does not have the Type A shape */
    public static AuthKey parse(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return null;
        }
        int first = value.indexOf('-');
        int second = first < 0 ? -1 : value.indexOf('-', first + 1);
        int last = value.lastIndexOf('-');
        if (first <= 0 || second <= first + 1 || last <= second + 1 || last == value.length() - 1) {
            return null;
        }
        String ts = value.substring(0, first);
        String hash = value.substring(last + 1);
        if (ts.length() > 12 || !ts.chars().allMatch(c -> c >= '0' && c <= '9') || !isMd5Hex(hash)) {
            return null;
        }
        return new AuthKey(ts, value.substring(first + 1, second), value.substring(second + 1, last), hash);
    }

    public long timestampSeconds() {
        return Long.parseLong(timestamp);
    }

    private static boolean isMd5Hex(String s) {
        if (s.length() != 32) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return timestamp + "-" + rand + "-" + uid + "-" + md5hash;
    }
}
