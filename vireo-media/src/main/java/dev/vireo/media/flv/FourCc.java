package dev.vireo.media.flv;

/** FOURCC codec identifiers of enhanced RTMP (v1 "Defining Additional Video Codecs", v2 audio). */
final class FourCc {

    static final int AVC1 = of("avc1");
    static final int HVC1 = of("hvc1");
    static final int AV01 = of("av01");
    static final int VP09 = of("vp09");
    static final int VP08 = of("vp08");
    static final int OPUS = of("Opus");
    static final int MP4A = of("mp4a");
    static final int MP3 = of(".mp3");
    static final int FLAC = of("fLaC");
    static final int AC3 = of("ac-3");
    static final int EAC3 = of("ec-3");

    private FourCc() {
    }

    static int of(String s) {
        return (s.charAt(0) << 24) | (s.charAt(1) << 16) | (s.charAt(2) << 8) | s.charAt(3);
    }

    /** Printable form for error messages (non-printable bytes as hex). */
    static String toString(int fourCc) {
        StringBuilder sb = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int c = (fourCc >>> shift) & 0xFF;
            if (c >= 0x20 && c < 0x7F) {
                sb.append((char) c);
            } else {
                return "0x" + String.format("%08x", fourCc);
            }
        }
        return sb.toString();
    }
}
