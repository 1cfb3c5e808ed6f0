package dev.vireo.media.flv;

import io.netty.buffer.ByteBuf;

/**
 * The parts of the enhanced RTMP v2 ExVideoTagHeader / ExAudioTagHeader that audio and video
 * share: ModEx prefixes and multitrack framing. Vireo carries one track per kind, so of a
 * multitrack message only the default track is kept (trackId 0, as the spec recommends for the
 * highest priority track, otherwise the first one).
 */
final class ExHeader {

    /** Bounds the ModEx chain; each entry costs at least two bytes anyway. */
    private static final int MAX_MOD_EX = 16;

    /** The packet type and FourCC of the track to process and its bytes (a slice of the body). */
    record Track(int packetType, int fourCc, int timestampNanoOffset, ByteBuf data) {
    }

    private ExHeader() {
    }

    static void need(ByteBuf b, int n, String what) {
        if (b.readableBytes() < n) {
            throw new FlvException("truncated " + what + ": need " + n + " bytes, have " + b.readableBytes());
        }
    }

    /** Reads an SI24 (FLV CompositionTime). */
    static int si24(ByteBuf b, String what) {
        need(b, 3, what);
        return b.readMedium();
    }

    /**
     * Processes ModEx entries (enhanced RTMP v2 "ModEx"), starting with {@code packetType} just
     * read from the first byte; {@code b} is positioned after that byte. Returns the packet type
     * that follows, with the TimestampOffsetNano (type 0) value packed in the upper bits.
     */
    static long modEx(ByteBuf b, int packetType, int modExType) {
        int nano = 0;
        int rounds = 0;
        while (packetType == modExType) {
            if (++rounds > MAX_MOD_EX) {
                throw new FlvException("more than " + MAX_MOD_EX + " ModEx entries");
            }
            need(b, 1, "ModEx size");
            int size = b.readUnsignedByte() + 1;
            if (size == 256) {
                need(b, 2, "ModEx size");
                size = b.readUnsignedShort() + 1;
            }
            need(b, size + 1, "ModEx data");
            int dataStart = b.readerIndex();
            b.skipBytes(size);
            int next = b.readUnsignedByte();
            if ((next >>> 4) == 0 && size >= 3) {
                // TimestampOffsetNano: UI24 nanoseconds added to the message time stamp
                nano = b.getUnsignedMedium(dataStart);
            }
            packetType = next & 0x0F;
        }
        return ((long) nano << 32) | packetType;
    }

    /**
     * Reads the FOURCC (and, for a Multitrack packet, the multitrack framing) and returns the
     * track to process. {@code multitrackType} is the packet type value that announces multitrack
     * mode (6 for video, 5 for audio); {@code modExType} the ModEx value (7 for both).
     */
    static Track track(ByteBuf b, int packetType, int nano, int multitrackType, int modExType, String what) {
        if (packetType != multitrackType) {
            need(b, 4, what + " FOURCC");
            int fourCc = b.readInt();
            return new Track(packetType, fourCc, nano, b.slice());
        }
        need(b, 1, what + " multitrack type");
        int m = b.readUnsignedByte();
        int avMultitrackType = m >>> 4;
        packetType = m & 0x0F;
        if (packetType == multitrackType || packetType == modExType) {
            throw new FlvException(what + " multitrack packet type " + packetType + " is not allowed here");
        }
        if (avMultitrackType > 2) {
            throw new FlvException("reserved " + what + " AvMultitrackType " + avMultitrackType);
        }
        boolean manyCodecs = avMultitrackType == 2;
        boolean oneTrack = avMultitrackType == 0;
        int sharedFourCc = 0;
        if (!manyCodecs) {
            need(b, 4, what + " FOURCC");
            sharedFourCc = b.readInt();
        }
        Track chosen = null;
        int chosenId = -1;
        int tracks = 0;
        while (b.isReadable()) {
            if (++tracks > 256) {
                throw new FlvException("more than 256 " + what + " tracks in one message");
            }
            int fourCc = sharedFourCc;
            if (manyCodecs) {
                need(b, 4, what + " track FOURCC");
                fourCc = b.readInt();
            }
            need(b, 1, what + " track id");
            int trackId = b.readUnsignedByte();
            int size;
            if (oneTrack) {
                size = b.readableBytes();
            } else {
                need(b, 3, what + " track size");
                size = b.readUnsignedMedium();
                need(b, size, what + " track " + trackId);
            }
            ByteBuf data = b.readSlice(size);
            if (chosen == null || (trackId == 0 && chosenId != 0)) {
                chosen = new Track(packetType, fourCc, nano, data);
                chosenId = trackId;
            }
            if (oneTrack) {
                break;
            }
        }
        if (chosen == null) {
            throw new FlvException(what + " multitrack message without any track");
        }
        return chosen;
    }
}
