package dev.vireo.media.flv;

/** FLV VideoTagHeader FrameType (FLV v10.1 §E.4.3.1; enhanced RTMP keeps the values). */
public enum FlvFrameType {
    KEY(1),
    INTER(2),
    DISPOSABLE_INTER(3),
    GENERATED_KEY(4),
    COMMAND(5);

    private final int value;

    FlvFrameType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    public boolean isKeyframe() {
        return this == KEY || this == GENERATED_KEY;
    }

    static FlvFrameType of(int value) {
        return switch (value) {
            case 1 -> KEY;
            case 2 -> INTER;
            case 3 -> DISPOSABLE_INTER;
            case 4 -> GENERATED_KEY;
            case 5 -> COMMAND;
            default -> throw new FlvException("reserved FLV video frame type " + value);
        };
    }
}
