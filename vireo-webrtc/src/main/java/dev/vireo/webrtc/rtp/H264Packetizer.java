package dev.vireo.webrtc.rtp;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.nal.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * H.264 RTP packetization, RFC 6184 with packetization-mode=1 (non-interleaved, §6.3): single NAL
 * unit packets (§5.6), STAP-A aggregation of consecutive small NAL units (§5.7.1) and FU-A
 * fragmentation of large ones (§5.8). Input is an access unit of 4-byte length-prefixed NAL units
 * (the {@code MediaFrame} layout); access unit delimiters and filler data are dropped, and the SPS
 * and PPS of the decoder configuration are put in front of every IDR access unit that does not
 * carry them in-band, so that a viewer joining at any keyframe can decode.
 *
 * <p>One instance per stream (it keeps the parameter sets); the result is shared by all viewers.
 */
public final class H264Packetizer {

    /** A safe payload size under a 1280+ byte path MTU with IPv6, UDP, SRTP and extensions. */
    public static final int DEFAULT_MAX_PAYLOAD = 1200;
    /** Smallest payload size accepted: room for FU headers and some data. */
    public static final int MIN_MAX_PAYLOAD = 64;

    private static final int STAP_A = 24;
    private static final int FU_A = 28;
    private static final int FILLER = 12;

    private final int maxPayload;
    private byte[][] parameterSets = new byte[0][];

    public H264Packetizer(int maxPayloadSize) {
        if (maxPayloadSize < MIN_MAX_PAYLOAD) {
            throw new IllegalArgumentException("max RTP payload " + maxPayloadSize + " is below " + MIN_MAX_PAYLOAD);
        }
        this.maxPayload = maxPayloadSize;
    }

    public H264Packetizer() {
        this(DEFAULT_MAX_PAYLOAD);
    }

    public int maxPayloadSize() {
        return maxPayload;
    }

    /** Remembers the SPS and PPS to send in front of IDR access units that lack them. */
    public void setDecoderConfiguration(AvcDecoderConfigurationRecord config) {
        List<byte[]> sets = new ArrayList<>(config.sps());
        sets.addAll(config.pps());
        this.parameterSets = sets.toArray(new byte[0][]);
    }

    /**
     * The RTP payloads of one access unit; the marker is set on the last one. An access unit
     * with nothing to send (only delimiters) gives a frame of zero packets.
     *
     * @param timestamp the RTP timestamp (90 kHz) to record on the frame
     * @throws RtpException when the access unit's NAL lengths are inconsistent
     */
    public PacketizedFrame packetize(ByteBufAllocator alloc, ByteBuf accessUnit, long timestamp) {
        List<ByteBuf> nals;
        try {
            nals = NalUnits.split(accessUnit);
        } catch (MediaFormatException e) {
            throw new RtpException("bad H.264 access unit: " + e.getMessage());
        }
        boolean idr = false;
        boolean hasSps = false;
        boolean hasPps = false;
        List<ByteBuf> units = new ArrayList<>(nals.size() + parameterSets.length);
        for (ByteBuf nal : nals) {
            int type = NalUnits.h264Type(nal.getUnsignedByte(nal.readerIndex()));
            switch (type) {
                case NalUnits.H264_AUD, FILLER -> {
                    continue; // carry no information over RTP
                }
                case NalUnits.H264_IDR -> idr = true;
                case NalUnits.H264_SPS -> hasSps = true;
                case NalUnits.H264_PPS -> hasPps = true;
                default -> {
                }
            }
            units.add(nal);
        }
        if (idr && !(hasSps && hasPps) && parameterSets.length > 0) {
            List<ByteBuf> withSets = new ArrayList<>(units.size() + parameterSets.length);
            for (byte[] ps : parameterSets) {
                withSets.add(Unpooled.wrappedBuffer(ps));
            }
            withSets.addAll(units);
            units = withSets;
        }
        int size = 0;
        for (ByteBuf u : units) {
            size += u.readableBytes() + 3;
        }
        PacketizedFrame.Builder b = new PacketizedFrame.Builder(alloc, size + size / maxPayload * 2 + 16);
        try {
            int i = 0;
            while (i < units.size()) {
                ByteBuf nal = units.get(i);
                int len = nal.readableBytes();
                if (len > maxPayload) {
                    fragment(b, nal);
                    i++;
                    continue;
                }
                // RFC 6184 §5.7.1: aggregate consecutive units while the STAP-A fits
                int j = i;
                int stapSize = 1;
                while (j < units.size() && stapSize + 2 + units.get(j).readableBytes() <= maxPayload) {
                    stapSize += 2 + units.get(j).readableBytes();
                    j++;
                }
                if (j - i >= 2) {
                    aggregate(b, units, i, j);
                    i = j;
                } else {
                    b.begin(); // §5.6: single NAL unit packet
                    b.buffer().writeBytes(nal, nal.readerIndex(), len);
                    b.end();
                    i++;
                }
            }
            return b.build(timestamp, idr);
        } catch (RuntimeException e) {
            b.discard();
            throw e;
        }
    }

    private static void aggregate(PacketizedFrame.Builder b, List<ByteBuf> units, int from, int to) {
        int f = 0;
        int nri = 0;
        for (int k = from; k < to; k++) {
            int h = units.get(k).getUnsignedByte(units.get(k).readerIndex());
            f |= h & 0x80;
            nri = Math.max(nri, h & 0x60);
        }
        b.begin();
        ByteBuf out = b.buffer();
        out.writeByte(f | nri | STAP_A); // §5.7.1: F is the OR, NRI the maximum of the aggregated units
        for (int k = from; k < to; k++) {
            ByteBuf u = units.get(k);
            out.writeShort(u.readableBytes());
            out.writeBytes(u, u.readerIndex(), u.readableBytes());
        }
        b.end();
    }

    /**
     * RFC 6184 §5.8: FU-A fragments of one size but the last (which is at most as large, and the
     * sizes as even as they can be), so a viewer's copy of the NAL unit can leave as one UDP GSO
     * run; the NAL header is rebuilt from the FU headers.
     */
    private void fragment(PacketizedFrame.Builder b, ByteBuf nal) {
        int header = nal.getUnsignedByte(nal.readerIndex());
        int bodyStart = nal.readerIndex() + 1;
        int bodyLen = nal.readableBytes() - 1;
        int capacity = maxPayload - 2;
        int fragments = (bodyLen + capacity - 1) / capacity;
        // ceil(bodyLen / fragments) <= capacity; fragments was chosen so the last one is not empty
        int size = (bodyLen + fragments - 1) / fragments;
        int pos = bodyStart;
        for (int k = 0; k < fragments; k++) {
            int chunk = k < fragments - 1 ? size : bodyLen - size * (fragments - 1);
            b.begin();
            ByteBuf out = b.buffer();
            out.writeByte(header & 0xE0 | FU_A); // FU indicator: F and NRI of the NAL unit
            out.writeByte((k == 0 ? 0x80 : 0) | (k == fragments - 1 ? 0x40 : 0) | header & 0x1F); // S, E, type
            out.writeBytes(nal, pos, chunk);
            b.end();
            pos += chunk;
        }
    }
}
