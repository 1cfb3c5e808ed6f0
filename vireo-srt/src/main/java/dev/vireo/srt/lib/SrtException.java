package dev.vireo.srt.lib;

/** A libsrt call failed: {@link #code()} is its {@code SRT_ERRNO}, the message its text. */
public final class SrtException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;

    public SrtException(int code, String message) {
        super(message + " (SRT error " + code + ")");
        this.code = code;
    }

    public int code() {
        return code;
    }
}
