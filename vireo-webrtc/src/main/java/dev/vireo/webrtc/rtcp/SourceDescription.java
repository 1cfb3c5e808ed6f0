package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** SDES: source description, RFC 3550 §6.5: chunks of items per SSRC, CNAME being the one that matters. */
public record SourceDescription(List<Chunk> chunks) implements RtcpPacket {

    /** RFC 3550 §6.5.1: the canonical end-point identifier. */
    public static final int CNAME = 1;

    /** One SDES item: type 1..8 and UTF-8 text of at most 255 bytes. */
    public record Item(int type, String value) {
        public Item {
            if (type < 1 || type > 255) {
                throw new IllegalArgumentException("SDES item type " + type);
            }
            Objects.requireNonNull(value, "value");
        }
    }

    /** The items about one SSRC or CSRC. */
    public record Chunk(int ssrc, List<Item> items) {
        public Chunk {
            items = List.copyOf(items);
        }

        public Optional<String> cname() {
            return items.stream().filter(i -> i.type() == CNAME).map(Item::value).findFirst();
        }
    }

    public SourceDescription {
        chunks = List.copyOf(chunks);
        if (chunks.size() > 31) {
            throw new IllegalArgumentException(chunks.size() + " SDES chunks exceed 31");
        }
    }

    /** An SDES with one chunk carrying a CNAME, as every compound packet should (RFC 3550 §6.1). */
    public static SourceDescription cname(int ssrc, String cname) {
        return new SourceDescription(List.of(new Chunk(ssrc, List.of(new Item(CNAME, cname)))));
    }

    @Override
    public int packetType() {
        return SDES;
    }

    static SourceDescription parse(int count, ByteBuf body) {
        List<Chunk> chunks = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            RtcpHeader.need(body, 4, "SDES chunk");
            int chunkStart = body.readerIndex();
            int ssrc = body.readInt();
            List<Item> items = new ArrayList<>();
            while (true) {
                RtcpHeader.need(body, 1, "SDES item");
                int type = body.readUnsignedByte();
                if (type == 0) {
                    // RFC 3550 §6.5: the list ends with a null octet, then padding to a 32-bit boundary
                    int consumed = body.readerIndex() - chunkStart;
                    int pad = (4 - consumed % 4) % 4;
                    RtcpHeader.need(body, pad, "SDES chunk padding");
                    body.skipBytes(pad);
                    break;
                }
                RtcpHeader.need(body, 1, "SDES item length");
                int len = body.readUnsignedByte();
                RtcpHeader.need(body, len, "SDES item");
                byte[] text = new byte[len];
                body.readBytes(text);
                items.add(new Item(type, new String(text, StandardCharsets.UTF_8)));
                if (items.size() > 16) {
                    throw new RtcpException("more than 16 items in an SDES chunk");
                }
            }
            chunks.add(new Chunk(ssrc, items));
        }
        return new SourceDescription(chunks);
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, chunks.size(), SDES);
        for (Chunk c : chunks) {
            int chunkStart = out.writerIndex();
            out.writeInt(c.ssrc());
            for (Item i : c.items()) {
                byte[] text = i.value().getBytes(StandardCharsets.UTF_8);
                if (text.length > 255) {
                    throw new IllegalArgumentException("SDES item of " + text.length + " bytes");
                }
                out.writeByte(i.type()).writeByte(text.length).writeBytes(text);
            }
            out.writeByte(0);
            while ((out.writerIndex() - chunkStart) % 4 != 0) {
                out.writeByte(0);
            }
        }
        RtcpHeader.end(out, start);
    }
}
