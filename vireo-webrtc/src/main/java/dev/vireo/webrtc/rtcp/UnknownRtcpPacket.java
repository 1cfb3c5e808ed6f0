package dev.vireo.webrtc.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** Any other RTCP packet (APP, XR, other feedback formats), kept as its count/FMT, type and body. */
public record UnknownRtcpPacket(int packetType, int countOrFormat, byte[] body) implements RtcpPacket {

    public UnknownRtcpPacket {
        body = body.clone();
        if (body.length % 4 != 0) {
            throw new IllegalArgumentException("RTCP body of " + body.length + " bytes is not 32-bit aligned");
        }
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public void write(ByteBuf out) {
        int start = RtcpHeader.begin(out, countOrFormat, packetType);
        out.writeBytes(body);
        RtcpHeader.end(out, start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownRtcpPacket u && packetType == u.packetType && countOrFormat == u.countOrFormat
                && Arrays.equals(body, u.body);
    }

    @Override
    public int hashCode() {
        return (packetType * 31 + countOrFormat) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "UnknownRtcpPacket[pt=" + packetType + ", count=" + countOrFormat + ", " + body.length + " bytes]";
    }
}
