package dev.vireo.webrtc.whep;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.webrtc.rtp.H264Packetizer;
import dev.vireo.webrtc.rtp.PacketizedFrame;
import dev.vireo.webrtc.rtp.RtpPayloads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The H.264 RTP payloads of a frame (RFC 6184, packetization-mode=1), computed once per frame and
 * shared by every WHEP viewer of the stream ({@link RtpPayloads} form). For a configuration frame
 * (AVCDecoderConfigurationRecord) the payloads are its SPS and PPS, aggregated in a STAP-A, which a
 * viewer sends in front of every keyframe so that it can start decoding at any of them.
 */
final class H264RtpEncoding extends VideoRtpEncoding {

    static final H264RtpEncoding INSTANCE = new H264RtpEncoding();

    private H264RtpEncoding() {
        super("rtp-h264");
    }

    @Override
    protected ByteBuf encode(MediaFrame frame) {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        H264Packetizer packetizer = new H264Packetizer();
        ByteBuf accessUnit = frame.isConfig() ? parameterSets(frame) : frame.payload().retainedDuplicate();
        try {
            PacketizedFrame p = packetizer.packetize(alloc, accessUnit, 0);
            try {
                return RtpPayloads.of(alloc, p);
            } finally {
                p.release();
            }
        } finally {
            accessUnit.release();
        }
    }

    /** The SPS and PPS of a decoder configuration record as a length-prefixed access unit. */
    private static ByteBuf parameterSets(MediaFrame config) {
        AvcDecoderConfigurationRecord record = AvcDecoderConfigurationRecord.parse(config.payload().duplicate());
        ByteBuf au = ByteBufAllocator.DEFAULT.buffer();
        for (byte[] sps : record.sps()) {
            au.writeInt(sps.length).writeBytes(sps);
        }
        for (byte[] pps : record.pps()) {
            au.writeInt(pps.length).writeBytes(pps);
        }
        return au;
    }
}
