package dev.vireo.record;

import java.time.Duration;
import java.util.Objects;

/**
 * How one stream is recorded, from whichever rule names it (a domain/app/stream rule of the admin
 * API, or the {@code record.streams} setting).
 *
 * @param format the container
 * @param rotate a file is closed and the next one started at the first keyframe after this
 * @param maxAge finished files older than this are deleted; {@link Duration#ZERO}: kept
 * @param maxBytes the stream's finished files beyond this total (oldest first) are deleted; 0: no limit
 */
public record RecordPolicy(RecordFormat format, Duration rotate, Duration maxAge, long maxBytes) {

    public RecordPolicy {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(rotate, "rotate");
        Objects.requireNonNull(maxAge, "maxAge");
        if (rotate.toSeconds() < 1) {
            throw new IllegalArgumentException("record rotation must be at least 1 s");
        }
        if (maxAge.isNegative() || maxBytes < 0) {
            throw new IllegalArgumentException("retention limits must not be negative");
        }
    }

    /** fMP4, rotating after {@code rotate}, nothing deleted. */
    public static RecordPolicy keepAll(Duration rotate) {
        return new RecordPolicy(RecordFormat.FMP4, rotate, Duration.ZERO, 0);
    }

    /** Whether retention deletes anything for this policy. */
    public boolean hasRetention() {
        return !maxAge.isZero() || maxBytes > 0;
    }
}
