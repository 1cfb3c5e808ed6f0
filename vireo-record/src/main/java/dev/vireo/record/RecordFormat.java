package dev.vireo.record;

import java.util.Locale;

/** The container a recording is written in. */
public enum RecordFormat {
    /** Fragmented MP4 (ISO/IEC 14496-12 movie fragments), one fragment per GOP: the default. */
    FMP4("mp4"),
    /** FLV (FLV v10.1, enhanced FLV for HEVC/AV1/Opus), the tags of one GOP per write. */
    FLV("flv");

    private final String extension;

    RecordFormat(String extension) {
        this.extension = extension;
    }

    /** The file name extension, without the dot. */
    public String extension() {
        return extension;
    }

    /** The API's name: {@code fmp4} or {@code flv}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fmp4}/{@code mp4} or {@code flv}, any case. */
    public static RecordFormat parse(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
            case "fmp4", "mp4" -> FMP4;
            case "flv" -> FLV;
            default -> throw new IllegalArgumentException("record format must be fmp4 or flv, not '" + s + "'");
        };
    }
}
