package dev.vireo.record;

import dev.vireo.core.StreamKey;
import java.nio.file.Path;

/**
 * A finished recording file.
 *
 * @param durationMillis media duration written
 * @param reason why it was closed: rotation, codec change, stream end, stop
 */
public record RecordingDone(StreamKey key, Path file, long bytes, long durationMillis, String reason) {
}
