package dev.vireo.webrtc.rtp;

import dev.vireo.media.MediaFormatException;
import dev.vireo.media.av1.Av1Obus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * AV1 RTP packetization (AOMedia "RTP Payload Format For AV1", v1.0, §4): a temporal unit in
 * low-overhead bitstream format (the {@code MediaFrame} layout) becomes packets of an aggregation
 * header and OBU elements. OBUs lose their obu_size field (§4.2: the element length or the
 * packet end gives it); temporal delimiters, tile lists (§5) and padding are not sent. Large OBUs
 * are fragmented across packets (Z/Y bits), small ones aggregated; when a packet holds at most
 * three elements, W says how many and the last element goes without its length (§4.4).
 *
 * <p>N is set on the first packet of a temporal unit that starts a coded video sequence: a
 * keyframe that carries a sequence header (§4.4; libwebrtc takes such a packet as the start of a
 * keyframe). The marker bit is set on the last packet of the temporal unit (§4.1).
 *
 * <p>Stateless; the result is shared by every viewer.
 */
public final class Av1Packetizer {

    /** A safe payload size under a 1280+ byte path MTU with IPv6, UDP, SRTP and extensions. */
    public static final int DEFAULT_MAX_PAYLOAD = H264Packetizer.DEFAULT_MAX_PAYLOAD;
    /** Smallest payload size accepted: an aggregation header, a length and some data. */
    public static final int MIN_MAX_PAYLOAD = 16;

    static final int Z = 0x80;
    static final int Y = 0x40;
    static final int W_SHIFT = 4;
    /** The aggregation header's N bit: the packet starts a coded video sequence (§4.4). */
    public static final int N = 0x08;
    static final int OBU_HAS_SIZE_FIELD = 0x02;

    private final int maxPayload;

    public Av1Packetizer(int maxPayloadSize) {
        if (maxPayloadSize < MIN_MAX_PAYLOAD) {
            throw new IllegalArgumentException("max RTP payload " + maxPayloadSize + " is below " + MIN_MAX_PAYLOAD);
        }
        this.maxPayload = maxPayloadSize;
    }

    public Av1Packetizer() {
        this(DEFAULT_MAX_PAYLOAD);
    }

    /** An OBU as sent: header byte without obu_has_size_field, optional extension, payload. */
    private record Element(int header, int extension, int payloadOffset, int size) {
    }

    /**
     * The RTP payloads of one temporal unit; the marker is set on the last one. A temporal unit
     * with nothing to send (only delimiters or padding) gives a frame of zero packets.
     *
     * @param keyframe whether the temporal unit is a random access point (N is set when it also
     *                 carries a sequence header)
     * @throws RtpException when the OBUs are malformed
     */
    public PacketizedFrame packetize(ByteBufAllocator alloc, ByteBuf temporalUnit, long timestamp, boolean keyframe) {
        List<Av1Obus.Obu> obus;
        try {
            obus = Av1Obus.split(temporalUnit);
        } catch (MediaFormatException e) {
            throw new RtpException("bad AV1 temporal unit: " + e.getMessage());
        }
        List<Element> elements = new ArrayList<>(obus.size());
        long total = 0;
        for (Av1Obus.Obu o : obus) {
            switch (o.type()) {
                case Av1Obus.TEMPORAL_DELIMITER, Av1Obus.TILE_LIST, Av1Obus.PADDING -> {
                    continue; // §5: not sent (delimiters are implied by the RTP timestamp)
                }
                default -> {
                }
            }
            Element e = new Element(o.header() & ~OBU_HAS_SIZE_FIELD, o.extension(), o.payloadOffset(),
                    o.headerSize() + o.payloadSize());
            elements.add(e);
            total += e.size();
        }
        boolean newSequence = keyframe && Av1Obus.hasSequenceHeader(obus);
        PacketizedFrame.Builder b = new PacketizedFrame.Builder(alloc,
                (int) Math.min(Integer.MAX_VALUE - 64, total + total / (maxPayload - 8) * 8 + 16));
        try {
            int i = 0; // element
            int done = 0; // bytes of element i already sent
            boolean first = true;
            while (i < elements.size()) {
                // Plan one packet: elements (or fragments) with a length each, greedily.
                int room = maxPayload - 1;
                int startElement = i;
                int startDone = done;
                int count = 0;
                int lastLen = 0;
                int lastLenSize = 0;
                while (i < elements.size()) {
                    int left = elements.get(i).size() - done;
                    int whole = Av1Obus.leb128Size(left) + left;
                    if (whole <= room) {
                        room -= whole;
                        count++;
                        lastLen = left;
                        lastLenSize = Av1Obus.leb128Size(left);
                        i++;
                        done = 0;
                        if (room < 2) {
                            break; // no room for a length and a byte
                        }
                        continue;
                    }
                    if (room >= 2) {
                        int chunk = room - Av1Obus.leb128Size(room);
                        chunk = Math.max(1, Math.min(chunk, left - 1));
                        count++;
                        lastLen = chunk;
                        lastLenSize = Av1Obus.leb128Size(chunk);
                        done += chunk;
                    }
                    break;
                }
                // §4.4: with W = count (1..3) the last element has no length; a fragment may use the space.
                int w = count <= 3 ? count : 0;
                if (w > 0 && done > 0) {
                    int grow = Math.min(lastLenSize, elements.get(i).size() - done - 1);
                    if (grow > 0) {
                        lastLen += grow;
                        done += grow;
                    }
                }
                boolean endsWithFragment = done > 0;
                boolean startsWithFragment = startDone > 0;
                int aggregation = (startsWithFragment ? Z : 0) | (endsWithFragment ? Y : 0) | w << W_SHIFT
                        | (first && newSequence ? N : 0);
                b.begin();
                ByteBuf out = b.buffer();
                out.writeByte(aggregation);
                int e = startElement;
                int offset = startDone;
                for (int k = 0; k < count; k++) {
                    Element el = elements.get(e);
                    boolean last = k == count - 1;
                    int len = last ? lastLen : el.size() - offset;
                    if (!(last && w > 0)) {
                        Av1Obus.writeLeb128(out, len);
                    }
                    writeElementBytes(out, temporalUnit, el, offset, len);
                    if (offset + len == el.size()) {
                        e++;
                        offset = 0;
                    } else {
                        offset += len;
                    }
                }
                b.end();
                first = false;
            }
            return b.build(timestamp, keyframe);
        } catch (RuntimeException e) {
            b.discard();
            throw e;
        }
    }

    /** Bytes {@code [from, from + len)} of an element: header, extension, then the payload. */
    private static void writeElementBytes(ByteBuf out, ByteBuf src, Element el, int from, int len) {
        int headerSize = el.extension() >= 0 ? 2 : 1;
        int pos = from;
        int end = from + len;
        while (pos < end && pos < headerSize) {
            out.writeByte(pos == 0 ? el.header() : el.extension());
            pos++;
        }
        if (pos < end) {
            out.writeBytes(src, el.payloadOffset() + pos - headerSize, end - pos);
        }
    }
}
