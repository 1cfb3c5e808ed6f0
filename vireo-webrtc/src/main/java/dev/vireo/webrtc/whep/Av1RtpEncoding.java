package dev.vireo.webrtc.whep;

import dev.vireo.core.MediaFrame;
import dev.vireo.media.MediaFormatException;
import dev.vireo.media.av1.Av1CodecConfigurationRecord;
import dev.vireo.media.av1.Av1Obus;
import dev.vireo.webrtc.rtp.Av1Packetizer;
import dev.vireo.webrtc.rtp.PacketizedFrame;
import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpPayloads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The AV1 RTP payloads of a frame (AOMedia AV1 RTP payload format v1.0), computed once per frame
 * and shared by every WHEP viewer of the stream ({@link RtpPayloads} form). For a configuration
 * frame (av1C) the payloads are its configOBUs: the sequence header, with N set.
 *
 * <p>A keyframe needs a sequence header in the same packets: libwebrtc starts a frame at every
 * packet that does not continue an OBU (Z=0) and ends one at every packet that does not leave
 * one open (Y=0), so a sequence header sent in packets of its own becomes a frame of its own,
 * which its decoder rejects; Chromium 156 then decodes nothing at all (tried with the end-to-end
 * test). Encoders (libaom, SVT-AV1, and so OBS and ffmpeg) put one into every keyframe, and the
 * RTMP ingest copies av1C's into a keyframe that comes without; such a keyframe's first packet
 * has N set and goes out alone. Only a keyframe still without one (another ingest) gets the
 * configuration's payloads in front, which the payload format allows and other receivers may
 * take.
 */
final class Av1RtpEncoding extends VideoRtpEncoding {

    static final Av1RtpEncoding INSTANCE = new Av1RtpEncoding();

    private static final Av1Packetizer PACKETIZER = new Av1Packetizer();

    private Av1RtpEncoding() {
        super("rtp-av1");
    }

    @Override
    protected ByteBuf encode(MediaFrame frame) {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        ByteBuf obus = frame.isConfig() ? configObus(frame) : frame.payload().duplicate();
        PacketizedFrame p = PACKETIZER.packetize(alloc, obus, 0, frame.isKeyframe());
        try {
            return RtpPayloads.of(alloc, p);
        } finally {
            p.release();
        }
    }

    @Override
    ByteBuf inFrontOfKeyframe(MediaFrame config, ByteBuf keyframePayloads) {
        if (startsCodedVideoSequence(keyframePayloads)) {
            return null; // the keyframe carries its sequence header
        }
        return super.inFrontOfKeyframe(config, keyframePayloads);
    }

    /** Whether the first packet has N set: a keyframe with its own sequence header. */
    static boolean startsCodedVideoSequence(ByteBuf payloads) {
        return RtpPayloads.count(payloads) > 0 && RtpPayloads.length(payloads, 0) > 0
                && (payloads.getByte(RtpPayloads.firstPayload(payloads)) & Av1Packetizer.N) != 0;
    }

    /** av1C's configOBUs (AV1-ISOBMFF §2.3.3), which must hold the sequence header. */
    private static ByteBuf configObus(MediaFrame config) {
        try {
            ByteBuf obus = Av1CodecConfigurationRecord.parse(config.payload().duplicate()).configObus();
            if (!Av1Obus.hasSequenceHeader(Av1Obus.split(obus))) {
                throw new RtpException("av1C without a sequence header OBU");
            }
            return obus;
        } catch (RtpException e) {
            throw e;
        } catch (MediaFormatException e) {
            throw new RtpException("bad av1C: " + e.getMessage());
        }
    }
}
