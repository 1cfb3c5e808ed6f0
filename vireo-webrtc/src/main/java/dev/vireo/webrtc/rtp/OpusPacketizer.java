package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Opus RTP payloads, RFC 7587: one Opus packet (RFC 6716 §3) per RTP packet, never fragmented
 * (§4.2), on a 48 kHz clock whatever the coded bandwidth (§4.1). The payload is the Opus packet
 * itself, so packetizing shares the frame's bytes without copying.
 */
public final class OpusPacketizer {

    /** RFC 7587 §4.1: the RTP clock rate of Opus is always 48000. */
    public static final int CLOCK_RATE = 48_000;
    /** RFC 6716 §3.2.1: a packet carries at most 120 ms. */
    public static final int MAX_SAMPLES = 5760;

    private static final int[] SILK_FRAME_SAMPLES = {480, 960, 1920, 2880}; // 10, 20, 40, 60 ms

    private OpusPacketizer() {
    }

    /**
     * A single-packet frame sharing (retaining) the bytes of {@code opusPacket}.
     *
     * @throws RtpException when the packet is empty or larger than {@code maxPayloadSize}
     */
    public static PacketizedFrame packetize(ByteBuf opusPacket, long timestamp, int maxPayloadSize) {
        int len = opusPacket.readableBytes();
        if (len == 0) {
            throw new RtpException("empty Opus packet");
        }
        if (len > maxPayloadSize) {
            throw new RtpException("Opus packet of " + len + " bytes exceeds the RTP payload limit " + maxPayloadSize);
        }
        // RFC 7587 §4.2: the marker bit marks the first packet of a talkspurt; without DTX every packet is speech
        return PacketizedFrame.single(opusPacket.retainedSlice(), timestamp, false, false);
    }

    /**
     * The duration of an Opus packet in 48 kHz samples from its TOC byte (RFC 6716 §3.1) and frame
     * count (§3.2), for advancing the RTP timestamp.
     *
     * @throws RtpException when the packet is empty, its frame count byte is missing, or it lasts over 120 ms
     */
    public static int sampleCount(ByteBuf opusPacket) {
        if (!opusPacket.isReadable()) {
            throw new RtpException("empty Opus packet");
        }
        int toc = opusPacket.getUnsignedByte(opusPacket.readerIndex());
        int config = toc >>> 3;
        int frameSamples;
        if (config < 12) {
            frameSamples = SILK_FRAME_SAMPLES[config & 3]; // SILK-only
        } else if (config < 16) {
            frameSamples = (config & 1) == 0 ? 480 : 960; // hybrid: 10, 20 ms
        } else {
            frameSamples = 120 << (config & 3); // CELT-only: 2.5, 5, 10, 20 ms
        }
        int frames = switch (toc & 3) {
            case 0 -> 1;
            case 1, 2 -> 2;
            default -> {
                if (opusPacket.readableBytes() < 2) {
                    throw new RtpException("Opus code 3 packet without a frame count byte");
                }
                yield opusPacket.getUnsignedByte(opusPacket.readerIndex() + 1) & 0x3F;
            }
        };
        int samples = frameSamples * frames;
        if (frames == 0 || samples > MAX_SAMPLES) {
            throw new RtpException("Opus packet of " + frames + " frames lasting " + samples + " samples");
        }
        return samples;
    }
}
