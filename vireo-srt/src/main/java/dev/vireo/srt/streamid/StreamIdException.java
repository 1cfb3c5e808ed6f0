package dev.vireo.srt.streamid;

/** A streamid that cannot be served: the SRT reject code to answer with and the reason. */
public final class StreamIdException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int rejectCode;

    public StreamIdException(int rejectCode, String reason) {
        super(reason);
        this.rejectCode = rejectCode;
    }

    public int rejectCode() {
        return rejectCode;
    }
}
