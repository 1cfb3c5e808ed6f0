package dev.vireo.webrtc.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Writes the per-viewer RTP header of an egress packet (RFC 3550 §5.1) with the header
 * extensions the answer negotiated: abs-send-time and the transport-wide sequence number
 * (RFC 8285 one-byte form when both ids are ≤ 14, two-byte form otherwise). Immutable; the write
 * allocates nothing.
 */
public final class RtpHeaderWriter {

    private final int absSendTimeId;
    private final int transportCcId;
    private final boolean twoByte;
    private final int extensionWords;
    private final int headerLength;

    /**
     * @param absSendTimeId the negotiated extmap id of abs-send-time, or 0 to leave it out
     * @param transportCcId the negotiated extmap id of transport-wide-cc, or 0 to leave it out
     */
    public RtpHeaderWriter(int absSendTimeId, int transportCcId) {
        if (absSendTimeId < 0 || absSendTimeId > 255 || transportCcId < 0 || transportCcId > 255
                || absSendTimeId != 0 && absSendTimeId == transportCcId) {
            throw new IllegalArgumentException("extension ids " + absSendTimeId + " and " + transportCcId);
        }
        this.absSendTimeId = absSendTimeId;
        this.transportCcId = transportCcId;
        this.twoByte = absSendTimeId > RtpHeaderExtensions.MAX_ONE_BYTE_ID
                || transportCcId > RtpHeaderExtensions.MAX_ONE_BYTE_ID;
        int perElement = twoByte ? 2 : 1;
        int data = (absSendTimeId != 0 ? perElement + 3 : 0) + (transportCcId != 0 ? perElement + 2 : 0);
        this.extensionWords = (data + 3) / 4;
        this.headerLength = RtpHeader.FIXED_SIZE + (data == 0 ? 0 : 4 + 4 * extensionWords);
    }

    /** Bytes {@link #write} produces. */
    public int headerLength() {
        return headerLength;
    }

    /**
     * Writes the header.
     *
     * @param absSendTime  24-bit value ({@link RtpHeaderExtensions#absSendTime(long)}), ignored without the extension
     * @param transportSeq 16-bit transport-wide sequence number, ignored without the extension
     */
    public void write(ByteBuf out, boolean marker, int payloadType, int sequenceNumber, long timestamp, int ssrc,
                      int absSendTime, int transportSeq) {
        boolean ext = extensionWords > 0;
        out.writeByte(RtpHeader.VERSION << 6 | (ext ? 0x10 : 0));
        out.writeByte((marker ? 0x80 : 0) | (payloadType & 0x7F));
        out.writeShort(sequenceNumber);
        out.writeInt((int) timestamp);
        out.writeInt(ssrc);
        if (!ext) {
            return;
        }
        int start = out.writerIndex();
        out.writeShort(twoByte ? RtpHeader.TWO_BYTE_PROFILE : RtpHeader.ONE_BYTE_PROFILE);
        out.writeShort(extensionWords);
        if (absSendTimeId != 0) {
            element(out, absSendTimeId, 3);
            out.writeMedium(absSendTime);
        }
        if (transportCcId != 0) {
            element(out, transportCcId, 2);
            out.writeShort(transportSeq);
        }
        int end = start + 4 + 4 * extensionWords;
        while (out.writerIndex() < end) {
            out.writeByte(0);
        }
    }

    /**
     * Rewrites, in a header {@link #write} wrote at {@code buf[start..]} (not yet protected), the
     * abs-send-time and transport-wide sequence number: for a packet held back by a pacer, whose
     * transport-wide number must follow the order packets leave in
     * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2) and whose send time is when it left.
     */
    public void rewriteSendFields(ByteBuf buf, int start, int absSendTime, int transportSeq) {
        int at = start + RtpHeader.FIXED_SIZE + 4;
        int perElement = twoByte ? 2 : 1;
        if (absSendTimeId != 0) {
            buf.setMedium(at + perElement, absSendTime);
            at += perElement + 3;
        }
        if (transportCcId != 0) {
            buf.setShort(at + perElement, transportSeq);
        }
    }

    private void element(ByteBuf out, int id, int length) {
        if (twoByte) {
            out.writeByte(id).writeByte(length);
        } else {
            out.writeByte(id << 4 | length - 1); // RFC 8285 §4.2: 4-bit id, 4-bit length minus one
        }
    }
}
