package dev.vireo.http.hls;

/**
 * The LL-HLS Delivery Directives of a playlist request (draft-pantos-hls-rfc8216bis §6.2.5):
 * {@code _HLS_msn}, {@code _HLS_part} (blocking reload, §6.2.5.2) and {@code _HLS_skip} (delta
 * update, §6.2.5.1). Pure parsing; the segmenter decides when the request can be answered.
 *
 * @param msn the Media Sequence Number to wait for, or -1 for a request that does not block
 * @param part the Part Index to wait for, or -1 for the whole segment
 * @param skip a Playlist Delta Update is asked for (YES or v2)
 */
record DeliveryDirectives(long msn, int part, boolean skip) {

    /** Longest decimal-integer accepted; a real msn or part index is far shorter. */
    private static final int MAX_DIGITS = 12;

    static final DeliveryDirectives NONE = new DeliveryDirectives(-1, -1, false);

    /** A request that is not valid per §6.2.5.2; {@code reason} goes to the 400 body. */
    static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    boolean blocking() {
        return msn >= 0;
    }

    /**
     * @param msn the {@code _HLS_msn} value or null
     * @param part the {@code _HLS_part} value or null
     * @param skip the {@code _HLS_skip} value or null
     */
    static DeliveryDirectives parse(String msn, String part, String skip) throws Invalid {
        if (part != null && msn == null) {
            // §6.2.5.2: "_HLS_part directive but no _HLS_msn directive": Bad Request
            throw new Invalid("_HLS_part without _HLS_msn");
        }
        long m = msn == null ? -1 : decimal("_HLS_msn", msn);
        long p = part == null ? -1 : decimal("_HLS_part", part);
        if (p > Integer.MAX_VALUE) {
            throw new Invalid("_HLS_part out of range");
        }
        boolean s = false;
        if (skip != null) {
            // §6.2.5.1: YES or v2 (v2 also skips date ranges, of which there are none here)
            if (!skip.equals("YES") && !skip.equals("v2")) {
                throw new Invalid("_HLS_skip must be YES or v2");
            }
            s = true;
        }
        return new DeliveryDirectives(m, (int) p, s);
    }

    /** RFC 8216 §4.2 decimal-integer, bounded. */
    private static long decimal(String name, String value) throws Invalid {
        if (value.isEmpty() || value.length() > MAX_DIGITS) {
            throw new Invalid(name + " is not a decimal integer of at most " + MAX_DIGITS + " digits");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new Invalid(name + " is not a decimal integer");
            }
        }
        return Long.parseLong(value);
    }

    /**
     * §6.2.5.2: a request too far ahead of the playlist gets Bad Request at once: an msn more than
     * two past the last segment's, or a part more than the Advance Part Limit past the last part
     * (three divided by the Part Target in seconds when it is under one second, else three).
     *
     * @return the reason, or null when the request may wait
     */
    String tooFarAhead(Timeline t) {
        long lastMsn = t.current() != null ? t.current().msn() : t.lastCompleteMsn();
        if (msn > lastMsn + 2) {
            return "_HLS_msn " + msn + " is more than two segments past the last one (" + lastMsn + ")";
        }
        if (part >= 0 && t.current() != null && msn >= t.current().msn()) {
            long limit = t.partTargetMillis() < 1000 ? Math.max(1, 3000 / t.partTargetMillis()) : 3;
            // parts ahead of the last one: counted in the open segment; in a later segment
            // (whose part count is not known yet) from its first part
            long ahead = msn == t.current().msn() ? part - (t.current().parts().size() - 1L) : part + 1L;
            if (ahead > limit) {
                return "_HLS_part " + part + " of segment " + msn + " is more than " + limit
                        + " parts past the last part";
            }
        }
        return null;
    }
}
