package dev.vireo.http.hls;

/**
 * The URIs a playlist gives for its resources, relative to the playlist, with the viewer's
 * session token. Built per request by {@link HlsPlayback}; the playlist writer only places them.
 */
interface SegmentUris {

    String init(int initId);

    String segment(long msn);

    String part(long msn, int index);
}
