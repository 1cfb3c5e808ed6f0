package dev.vireo.http.hls;

/**
 * A partial segment of LL-HLS (draft-pantos-hls-rfc8216bis §4.4.4.9): one fMP4 fragment
 * (moof+mdat), immutable, shared by every viewer.
 *
 * @param index Part Index within its parent segment, from 0
 * @param durationMillis media duration
 * @param independent starts with a video keyframe, or the stream is audio only (INDEPENDENT=YES)
 * @param bytes the fragment
 */
record Part(int index, long durationMillis, boolean independent, byte[] bytes) {
}
