package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** BYE, RFC 3550 §6.6: the sources leave, with an optional reason. */
public record Goodbye(int[] ssrcs, String reason) implements RtcpPacket {

    public Goodbye {
        ssrcs = ssrcs.clone();
        if (ssrcs.length > 31) {
            throw new IllegalArgumentException(ssrcs.length + " SSRCs exceed 31");
        }
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public int[] ssrcs() {
        return ssrcs.clone();
    }

    @Override
    public int packetType() {
        return BYE;
    }

    static Goodbye parse(int count, ByteBuf body) {
        RtcpHeader.need(body, 4 * count, "BYE with " + count + " SSRCs");
        int[] ssrcs = new int[count];
        for (int i = 0; i < count; i++) {
            ssrcs[i] = body.readInt();
        }
        String reason = "";
        if (body.isReadable()) {
            int len = body.readUnsignedByte();
            RtcpHeader.need(body, len, "BYE reason");
            byte[] text = new byte[len];
            body.readBytes(text);
            reason = new String(text, StandardCharsets.UTF_8);
        }
        return new Goodbye(ssrcs, reason);
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, ssrcs.length, BYE);
        for (int s : ssrcs) {
            out.writeInt(s);
        }
        if (!reason.isEmpty()) {
            byte[] text = reason.getBytes(StandardCharsets.UTF_8);
            if (text.length > 255) {
                throw new IllegalArgumentException("BYE reason of " + text.length + " bytes");
            }
            out.writeByte(text.length).writeBytes(text);
        }
        RtcpHeader.end(out, start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Goodbye g && Arrays.equals(ssrcs, g.ssrcs) && reason.equals(g.reason);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ssrcs) * 31 + reason.hashCode();
    }

    @Override
    public String toString() {
        return "Goodbye[ssrcs=" + Arrays.toString(ssrcs) + ", reason=" + reason + "]";
    }
}
