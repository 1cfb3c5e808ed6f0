package dev.vireo.http.hls;

/**
 * The file names a playlist gives: {@code init{id}.mp4}, {@code s{msn}.ts}, {@code s{msn}.m4s},
 * {@code p{msn}_{index}.m4s}. Pure parsing with bounds; anything else is null (404).
 */
record ResourceName(Kind kind, long msn, int part, int initId) {

    enum Kind {
        INIT,
        TS_SEGMENT,
        FMP4_SEGMENT,
        PART
    }

    private static final int MAX_DIGITS = 12;

    /**
     * @param base the name without extension
     * @param extension "ts", "m4s" or "mp4"
     */
    static ResourceName parse(String base, String extension) {
        if (base == null || base.length() < 2 || base.length() > 2 * MAX_DIGITS + 6) {
            return null;
        }
        switch (extension) {
            case "mp4" -> {
                if (!base.startsWith("init")) {
                    return null;
                }
                long id = number(base.substring(4));
                return id < 0 || id > Integer.MAX_VALUE ? null : new ResourceName(Kind.INIT, -1, -1, (int) id);
            }
            case "ts", "m4s" -> {
                if (base.charAt(0) == 's') {
                    long msn = number(base.substring(1));
                    return msn < 0 ? null
                            : new ResourceName(extension.equals("ts") ? Kind.TS_SEGMENT : Kind.FMP4_SEGMENT, msn, -1, -1);
                }
                if (base.charAt(0) == 'p' && extension.equals("m4s")) {
                    int sep = base.indexOf('_');
                    if (sep < 0) {
                        return null;
                    }
                    long msn = number(base.substring(1, sep));
                    long part = number(base.substring(sep + 1));
                    return msn < 0 || part < 0 || part > Integer.MAX_VALUE ? null
                            : new ResourceName(Kind.PART, msn, (int) part, -1);
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static long number(String s) {
        if (s.isEmpty() || s.length() > MAX_DIGITS) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(s);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case INIT -> "init" + initId + ".mp4";
            case TS_SEGMENT -> "s" + msn + ".ts";
            case FMP4_SEGMENT -> "s" + msn + ".m4s";
            case PART -> "p" + msn + "_" + part + ".m4s";
        };
    }
}
