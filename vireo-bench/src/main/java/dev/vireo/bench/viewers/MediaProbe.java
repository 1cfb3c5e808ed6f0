package dev.vireo.bench.viewers;

import dev.vireo.bench.measure.FlowCounters;
import dev.vireo.bench.measure.WallclockSei;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import io.netty.buffer.ByteBuf;

/** What a viewer looks at in each media message: its size, whether it is a coded video frame, its stamp. */
final class MediaProbe {

    private MediaProbe() {
    }

    /**
     * Counts one received message (RTMP message or FLV tag).
     *
     * @param type FLV tag type = RTMP message type (8 audio, 9 video, 18 data)
     */
    static void onMessage(FlowCounters counters, int type, ByteBuf body, int nalLengthSize, long nowNanos) {
        if (type == FlvTag.VIDEO) {
            boolean coded = isCodedVideo(body);
            long stamp = coded ? WallclockSei.read(body, nalLengthSize) : -1;
            counters.onMedia(nowNanos, body.readableBytes(), coded, stamp);
        } else if (type == FlvTag.AUDIO) {
            counters.onMedia(nowNanos, body.readableBytes(), false, -1);
        }
    }

    static boolean isCodedVideo(ByteBuf body) {
        if (!body.isReadable()) {
            return false;
        }
        try {
            return FlvVideoPacket.parse(body).kind() == FlvPacketKind.CODED;
        } catch (MediaFormatException e) {
            return false;
        }
    }
}
