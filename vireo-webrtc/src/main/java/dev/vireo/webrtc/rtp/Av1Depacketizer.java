package dev.vireo.webrtc.rtp;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.av1.Av1Obus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Rebuilds a temporal unit in low-overhead bitstream format (every OBU with obu_size, the
 * {@code MediaFrame} layout) from the RTP payloads of one AV1 temporal unit (AOMedia "RTP
 * Payload Format For AV1" v1.0 §4: the packets of one RTP timestamp, in sequence order, the last
 * with the marker). Used to check the packetizer against the specification; a WHIP ingest would
 * put loss detection and a jitter buffer in front of it.
 *
 * <p>Every rule of §4.4 that a payload can break is checked (Z of a packet equals Y of the one
 * before, W elements, lengths within the packet, N never on a continuation, no fragment left
 * open at the end); a violation throws {@link RtpException} with the reason.
 */
public final class Av1Depacketizer {

    /** Default bound on the size of one rebuilt temporal unit. */
    public static final int DEFAULT_MAX_TEMPORAL_UNIT = 8 << 20;

    private Av1Depacketizer() {
    }

    /** A rebuilt temporal unit; the caller owns {@code obus}. */
    public record TemporalUnit(ByteBuf obus, boolean newCodedVideoSequence) {
    }

    /**
     * Rebuilds one temporal unit; does not take ownership of the payloads.
     *
     * @throws RtpException for a payload that breaks §4.4, or output beyond {@code maxSize}
     */
    public static TemporalUnit depacketize(ByteBufAllocator alloc, List<ByteBuf> payloads, int maxSize) {
        if (payloads.isEmpty()) {
            throw new RtpException("AV1: no packets");
        }
        ByteBuf obu = alloc.buffer(); // the OBU being assembled (header, extension, payload)
        ByteBuf out = alloc.buffer();
        boolean ok = false;
        try {
            boolean open = false;
            boolean newSequence = false;
            for (int p = 0; p < payloads.size(); p++) {
                ByteBuf pl = payloads.get(p);
                int pos = pl.readerIndex();
                int end = pl.writerIndex();
                if (pos >= end) {
                    throw new RtpException("AV1 packet " + p + ": no aggregation header");
                }
                int agg = pl.getUnsignedByte(pos++);
                boolean z = (agg & Av1Packetizer.Z) != 0;
                boolean y = (agg & Av1Packetizer.Y) != 0;
                int w = (agg >>> Av1Packetizer.W_SHIFT) & 3;
                boolean n = (agg & Av1Packetizer.N) != 0;
                if (n && z) {
                    throw new RtpException("AV1 packet " + p + ": N set on a packet that continues an OBU");
                }
                if (p == 0) {
                    newSequence = n;
                }
                if (z != open) {
                    throw new RtpException("AV1 packet " + p + ": Z=" + (z ? 1 : 0) + " but the previous packet "
                            + (open ? "left an OBU open" : "ended on a whole OBU"));
                }
                int element = 0;
                while (pos < end) {
                    element++;
                    int len;
                    if (w != 0 && element == w) {
                        len = end - pos; // §4.4: the W-th element runs to the end of the packet
                    } else {
                        long leb = Av1Obus.leb128(pl, pos, end);
                        pos += (int) (leb & 0xFF);
                        long l = leb >>> 8;
                        if (l > end - pos) {
                            throw new RtpException("AV1 packet " + p + ": element " + element + " of " + l
                                    + " bytes exceeds the " + (end - pos) + " left");
                        }
                        len = (int) l;
                    }
                    if (w != 0 && element > w) {
                        throw new RtpException("AV1 packet " + p + ": more than W=" + w + " elements");
                    }
                    boolean continuation = element == 1 && z;
                    if (!continuation) {
                        obu.clear();
                    }
                    if (obu.readableBytes() + len > maxSize) {
                        throw new RtpException("AV1 OBU larger than " + maxSize + " bytes");
                    }
                    obu.writeBytes(pl, pos, len);
                    pos += len;
                    boolean lastInPacket = pos == end;
                    open = lastInPacket && y;
                    if (!open) {
                        writeObu(out, obu, p, maxSize);
                    }
                }
                if (element == 0) {
                    throw new RtpException("AV1 packet " + p + ": no OBU element");
                }
                if (w != 0 && element != w) {
                    throw new RtpException("AV1 packet " + p + ": W=" + w + " but " + element + " elements");
                }
            }
            if (open) {
                throw new RtpException("AV1: the last packet leaves an OBU fragment open (Y=1)");
            }
            ok = true;
            return new TemporalUnit(out, newSequence);
        } catch (MediaFormatException e) {
            throw e instanceof RtpException r ? r : new RtpException("AV1: " + e.getMessage());
        } finally {
            obu.release();
            if (!ok) {
                out.release();
            }
        }
    }

    /** Appends a whole OBU with obu_has_size_field set and its obu_size (§5.3.1). */
    private static void writeObu(ByteBuf out, ByteBuf obu, int packet, int maxSize) {
        if (!obu.isReadable()) {
            throw new RtpException("AV1 packet " + packet + ": empty OBU");
        }
        int header = obu.getUnsignedByte(obu.readerIndex());
        if ((header & 0x80) != 0) {
            throw new RtpException("AV1 packet " + packet + ": obu_forbidden_bit set");
        }
        boolean extension = (header & 0x04) != 0;
        int headerSize = extension ? 2 : 1;
        if (obu.readableBytes() < headerSize) {
            throw new RtpException("AV1 packet " + packet + ": OBU without its extension header");
        }
        int payload = obu.readableBytes() - headerSize;
        if ((header & Av1Packetizer.OBU_HAS_SIZE_FIELD) != 0) {
            // §4.2 allows a size field in the packet; it must then be right
            int at = obu.readerIndex() + headerSize;
            long leb = Av1Obus.leb128(obu, at, obu.writerIndex());
            int sizeBytes = (int) (leb & 0xFF);
            if ((leb >>> 8) != payload - sizeBytes) {
                throw new RtpException("AV1 packet " + packet + ": obu_size " + (leb >>> 8) + " but "
                        + (payload - sizeBytes) + " payload bytes");
            }
            if (out.readableBytes() + obu.readableBytes() > maxSize) {
                throw new RtpException("AV1 temporal unit larger than " + maxSize + " bytes");
            }
            out.writeBytes(obu, obu.readerIndex(), obu.readableBytes());
            return;
        }
        if (out.readableBytes() + obu.readableBytes() + Av1Obus.leb128Size(payload) > maxSize) {
            throw new RtpException("AV1 temporal unit larger than " + maxSize + " bytes");
        }
        out.writeByte(header | Av1Packetizer.OBU_HAS_SIZE_FIELD);
        if (extension) {
            out.writeByte(obu.getUnsignedByte(obu.readerIndex() + 1));
        }
        Av1Obus.writeLeb128(out, payload);
        out.writeBytes(obu, obu.readerIndex() + headerSize, payload);
    }
}
