package dev.vireo.webrtc;

/** The media port has as many sessions as it is configured to take ({@link WebRtcConfig#maxSessions()}). */
public final class SessionLimitException extends IllegalStateException {

    private final int limit;

    SessionLimitException(int limit) {
        super("the server plays to its limit of " + limit + " WebRTC sessions; try again later");
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }
}
