package dev.vireo.media.ts;

import dev.vireo.media.Codec;
import java.util.ArrayList;
import java.util.List;

/** Parsing of the program association and program map sections (ISO/IEC 13818-1 §2.4.4.3, §2.4.4.8). */
final class ProgramTables {

    /** A program of the PAT: its program_number and the PID of its PMT. */
    record Program(int number, int pmtPid) {
    }

    /**
     * One elementary stream of a PMT.
     *
     * @param codec what it carries, or null when this package cannot demultiplex it
     * @param channels Opus channel count from its audio descriptor, 0 otherwise
     */
    record Elementary(int streamType, int pid, Codec codec, int channels) {

        String describe() {
            return "stream_type 0x" + Integer.toHexString(streamType) + " on PID " + pid;
        }
    }

    /** A PMT: its version and streams, in PMT order. */
    record ProgramMap(int version, List<Elementary> streams) {
    }

    private ProgramTables() {
    }

    /** The first program of a PAT section (program_number 0 is the network PID, skipped), or null. */
    static Program firstProgram(byte[] s) {
        if ((s[0] & 0xFF) != TsPacket.TABLE_PAT) {
            return null;
        }
        int end = s.length - 4; // CRC_32
        for (int i = 8; i + 4 <= end; i += 4) {
            int number = u16(s, i);
            int pid = u16(s, i + 2) & 0x1FFF;
            if (number != 0) {
                return new Program(number, pid);
            }
        }
        return null;
    }

    /** The PMT of {@code programNumber}, or null when the section is another table or program. */
    static ProgramMap programMap(byte[] s, int programNumber) {
        if ((s[0] & 0xFF) != TsPacket.TABLE_PMT || s.length < 16 || u16(s, 3) != programNumber) {
            return null;
        }
        if ((s[5] & 0x01) == 0) {
            return null; // current_next_indicator 0: not applicable yet
        }
        int version = (s[5] >>> 1) & 0x1F;
        int end = s.length - 4;
        int i = 12 + (u16(s, 10) & 0x0FFF); // after program_info descriptors
        List<Elementary> streams = new ArrayList<>();
        while (i + 5 <= end) {
            int type = s[i] & 0xFF;
            int pid = u16(s, i + 1) & 0x1FFF;
            int infoLength = u16(s, i + 3) & 0x0FFF;
            int infoStart = i + 5;
            int infoEnd = Math.min(infoStart + infoLength, end);
            streams.add(elementary(type, pid, s, infoStart, infoEnd));
            i = infoStart + infoLength;
        }
        return new ProgramMap(version, streams);
    }

    private static Elementary elementary(int type, int pid, byte[] s, int from, int to) {
        return switch (type) {
            case TsPacket.STREAM_TYPE_H264 -> new Elementary(type, pid, Codec.H264, 0);
            case TsPacket.STREAM_TYPE_H265 -> new Elementary(type, pid, Codec.H265, 0);
            case TsPacket.STREAM_TYPE_AAC_ADTS -> new Elementary(type, pid, Codec.AAC, 0);
            case TsPacket.STREAM_TYPE_PRIVATE_PES -> opus(type, pid, s, from, to);
            default -> new Elementary(type, pid, null, 0);
        };
    }

    /**
     * Opus is private PES data announced by a registration descriptor "Opus" and described by
     * the Opus audio descriptor inside a DVB extension descriptor, whose channel_config_code
     * 1 or 2 is the channel count (mono/stereo, the only layouts carried here).
     */
    private static Elementary opus(int type, int pid, byte[] s, int from, int to) {
        boolean registered = false;
        int channels = 0;
        for (int i = from; i + 2 <= to; ) {
            int tag = s[i] & 0xFF;
            int len = s[i + 1] & 0xFF;
            int data = i + 2;
            if (data + len > to) {
                break;
            }
            if (tag == TsPacket.DESCRIPTOR_REGISTRATION && len >= 4 && u32(s, data) == TsPacket.OPUS_FORMAT_IDENTIFIER) {
                registered = true;
            } else if (tag == TsPacket.DESCRIPTOR_DVB_EXTENSION && len >= 2
                    && (s[data] & 0xFF) == TsPacket.DVB_EXTENSION_OPUS) {
                int code = s[data + 1] & 0xFF;
                channels = code == 1 || code == 2 ? code : -1;
            }
            i = data + len;
        }
        if (!registered || channels < 0) {
            return new Elementary(type, pid, null, 0);
        }
        return new Elementary(type, pid, Codec.OPUS, channels == 0 ? 2 : channels);
    }

    static int u16(byte[] s, int i) {
        return ((s[i] & 0xFF) << 8) | (s[i + 1] & 0xFF);
    }

    private static int u32(byte[] s, int i) {
        return (u16(s, i) << 16) | u16(s, i + 2);
    }
}
