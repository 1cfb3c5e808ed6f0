package dev.vireo.cluster.relay;

/**
 * Size limits of the relay protocol, checked by {@link RelayFrameReader} before anything is
 * allocated for a field.
 *
 * @param maxFrameBytes largest frame (type + body, the value of the length prefix)
 * @param maxNameBytes largest node id or stream-key part (vhost, app, stream), UTF-8 bytes
 * @param maxReasonBytes largest end-of-stream or error reason, UTF-8 bytes
 */
public record RelayLimits(int maxFrameBytes, int maxNameBytes, int maxReasonBytes) {

    /** Before authentication only the small handshake frames can come: 1 KiB. */
    public static final RelayLimits HANDSHAKE = new RelayLimits(1024, 255, 1024);

    public RelayLimits {
        if (maxFrameBytes < 64 || maxNameBytes < 1 || maxNameBytes > 255 || maxReasonBytes < 1
                || maxReasonBytes > 65_535) {
            throw new IllegalArgumentException("relay limits out of range: " + maxFrameBytes + "/" + maxNameBytes
                    + "/" + maxReasonBytes);
        }
    }

    /** After authentication: media frames up to 16 MiB (a 4K keyframe is a few MiB). */
    public static RelayLimits media() {
        return new RelayLimits(16 << 20, 255, 1024);
    }
}
