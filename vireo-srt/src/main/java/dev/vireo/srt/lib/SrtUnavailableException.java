package dev.vireo.srt.lib;

/** libsrt 1.5 cannot be used in this process; the message says why (for the start-up warning). */
public final class SrtUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SrtUnavailableException(String message) {
        super(message);
    }
}
