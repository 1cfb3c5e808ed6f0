package dev.vireo.webrtc.whip;

import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;

/**
 * Turns a depacketized H.264 access unit (length-prefixed NAL units, as {@code H264Depacketizer}
 * rebuilds them) into the hub's layout: SPS and PPS (which WebRTC senders put in front of every
 * IDR, in a STAP-A or in packets of their own, RFC 6184 §5.7, §8.4) are taken out and become the
 * AVCDecoderConfigurationRecord of a config frame whenever they change (ISO 14496-15 §5.3.3);
 * access unit delimiters are dropped; the other NAL units stay. Not thread-safe.
 */
final class H264AccessUnits {

    /** What one access unit gave. */
    record Result(ByteBuf frame, ByteBuf config, boolean keyframe) {
    }

    private byte[] sps;
    private byte[] pps;
    private boolean configSent;

    /**
     * @param au the access unit (not released here)
     * @return the frame's payload (owned by the caller; null when nothing but parameter sets was
     *     in it), and a new configuration record when the parameter sets changed (owned too)
     */
    Result split(ByteBufAllocator alloc, ByteBuf au) {
        ByteBuf frame = alloc.buffer(au.readableBytes());
        boolean keyframe = false;
        boolean changed = false;
        int pos = au.readerIndex();
        int end = au.writerIndex();
        int nals = 0;
        while (end - pos >= 4) {
            int len = au.getInt(pos);
            pos += 4;
            if (len <= 0 || len > end - pos || ++nals > NalUnits.MAX_NALUS) {
                break;
            }
            int type = au.getUnsignedByte(pos) & 0x1F;
            switch (type) {
                case NalUnits.H264_SPS -> {
                    byte[] b = ByteBufUtil.getBytes(au, pos, len);
                    // (the null test first: Jazzer 0.26's Arrays.equals hook crashes the JVM on a null argument)
                    changed |= sps == null || !Arrays.equals(b, sps);
                    sps = b;
                }
                case NalUnits.H264_PPS -> {
                    byte[] b = ByteBufUtil.getBytes(au, pos, len);
                    changed |= pps == null || !Arrays.equals(b, pps);
                    pps = b;
                }
                case NalUnits.H264_AUD -> {
                }
                default -> {
                    keyframe |= type == NalUnits.H264_IDR;
                    frame.writeInt(len);
                    frame.writeBytes(au, pos, len);
                }
            }
            pos += len;
        }
        ByteBuf config = null;
        if ((changed || !configSent) && sps != null && pps != null) {
            try {
                AvcDecoderConfigurationRecord record = AvcDecoderConfigurationRecord.of(sps, pps);
                config = alloc.buffer(16 + sps.length + pps.length);
                record.write(config);
                configSent = true;
            } catch (RuntimeException e) {
                if (config != null) {
                    config.release();
                    config = null;
                }
            }
        }
        if (!frame.isReadable()) {
            frame.release();
            frame = null;
        }
        return new Result(frame, config, keyframe);
    }

    /** Whether a configuration record has been made (a frame before it cannot be decoded). */
    boolean hasConfig() {
        return configSent;
    }
}
