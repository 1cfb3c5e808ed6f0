package dev.vireo.media.mp4;

import io.netty.buffer.ByteBuf;

/**
 * One sample of a track run (§8.8.8): its duration and composition offset in the track's
 * timescale, whether it is a sync sample, and its bytes (in the sample format of the codec:
 * length-prefixed NAL units, AV1 OBUs, a raw AAC frame, an Opus packet). The data is not owned.
 */
public record Mp4Sample(int duration, int compositionOffset, boolean sync, ByteBuf data) {

    public int size() {
        return data.readableBytes();
    }
}
