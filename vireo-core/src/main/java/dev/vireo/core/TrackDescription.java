package dev.vireo.core;

/**
 * What a sequence header says about a track (size, profile, sample rate), for statistics.
 */
record TrackDescription(int width, int height, String profile, int sampleRate, int channels) {

    static final TrackDescription NONE = new TrackDescription(0, 0, "", 0, 0);

    static TrackDescription of(MediaFrame config) {
        return NONE;
    }
}
