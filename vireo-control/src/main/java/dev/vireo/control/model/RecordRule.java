package dev.vireo.control.model;

import java.util.Set;

/**
 * A recording rule: whether, and how, streams of {@code domain} named {@code app}/{@code stream}
 * ({@code *} for any) are recorded. A stream follows its most specific rule: app and stream named,
 * then app named, then stream named, then {@code *}/{@code *}; a disabled rule stops a wider one.
 *
 * @param format {@code fmp4} or {@code flv}
 * @param rotateSeconds a new file at the first keyframe after this
 * @param maxAgeSeconds finished files older than this are deleted; 0: kept
 * @param maxTotalBytes a stream's finished files beyond this total are deleted, oldest first; 0: no limit
 * @param updatedAt ISO-8601
 */
public record RecordRule(String domain, String app, String stream, boolean enabled, String format,
                         long rotateSeconds, long maxAgeSeconds, long maxTotalBytes, String updatedAt) {

    public static final String ANY = "*";
    public static final Set<String> FORMATS = Set.of("fmp4", "flv");
    public static final long DEFAULT_ROTATE_SECONDS = 3600;
    public static final long MAX_ROTATE_SECONDS = 7 * 86_400;

    /** How closely this rule names {@code app}/{@code stream}: 3 exact, 2 app, 1 stream, 0 any; -1 not at all. */
    public int specificity(String app, String stream) {
        boolean appAny = ANY.equals(this.app);
        boolean streamAny = ANY.equals(this.stream);
        if (!appAny && !this.app.equals(app) || !streamAny && !this.stream.equals(stream)) {
            return -1;
        }
        return (appAny ? 0 : 2) + (streamAny ? 0 : 1);
    }
}
