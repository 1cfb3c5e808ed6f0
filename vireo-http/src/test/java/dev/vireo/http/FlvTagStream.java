package dev.vireo.http;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Test helper: reads an FLV byte stream (an HTTP-FLV response body, a file) tag by tag, checking
 * the framing independently of the production FLV code: signature, header size, PreviousTagSize0,
 * and every PreviousTagSize against the tag it follows (FLV v10.1 §E.2, §E.3, §E.4.1).
 */
public final class FlvTagStream implements AutoCloseable {

    /** One tag: type (8 audio, 9 video, 18 script data), time stamp (ms) and body. */
    public record Tag(int type, long timestamp, byte[] body) {

        public boolean isVideo() {
            return type == 9;
        }

        public boolean isAudio() {
            return type == 8;
        }

        public boolean isScript() {
            return type == 18;
        }

        /** Video: FrameType 1 in the first body byte (legacy and enhanced layouts alike). */
        public boolean isKeyframe() {
            return isVideo() && body.length > 0 && ((body[0] >> 4) & 0x07) == 1;
        }

        /** AVC or AAC sequence header: AVCPacketType / AACPacketType 0 in the second byte. */
        public boolean isSequenceHeader() {
            return (isVideo() || isAudio()) && body.length > 1 && body[1] == 0;
        }
    }

    private final DataInputStream in;
    private int flags = -1;

    public FlvTagStream(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /** Reads the 9-byte header and PreviousTagSize0; returns the flags byte (4 audio, 1 video). */
    public int readHeader() throws IOException {
        byte[] sig = new byte[3];
        in.readFully(sig);
        if (sig[0] != 'F' || sig[1] != 'L' || sig[2] != 'V') {
            throw new IOException("not FLV: bad signature");
        }
        int version = in.readUnsignedByte();
        if (version != 1) {
            throw new IOException("FLV version " + version);
        }
        flags = in.readUnsignedByte();
        int dataOffset = in.readInt();
        if (dataOffset != 9) {
            throw new IOException("FLV DataOffset " + dataOffset);
        }
        int previous0 = in.readInt();
        if (previous0 != 0) {
            throw new IOException("PreviousTagSize0 is " + previous0);
        }
        return flags;
    }

    /** The next tag, or null at a clean end of stream between tags. */
    public Tag next() throws IOException {
        if (flags < 0) {
            readHeader();
        }
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int size = readU24();
        long timestamp = readU24() | ((long) in.readUnsignedByte() << 24);
        int streamId = readU24();
        if (streamId != 0) {
            throw new IOException("StreamID " + streamId);
        }
        if (type != 8 && type != 9 && type != 18) {
            throw new IOException("tag type " + type);
        }
        byte[] body = new byte[size];
        in.readFully(body);
        int previous = in.readInt();
        if (previous != size + 11) {
            throw new IOException("PreviousTagSize " + previous + " after a tag of " + size + " bytes");
        }
        return new Tag(type, timestamp, body);
    }

    private int readU24() throws IOException {
        int a = in.read();
        int b = in.read();
        int c = in.read();
        if ((a | b | c) < 0) {
            throw new EOFException("truncated FLV tag header");
        }
        return a << 16 | b << 8 | c;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
