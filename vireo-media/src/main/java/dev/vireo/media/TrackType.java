package dev.vireo.media;

/** The kind of track a frame belongs to. */
public enum TrackType {
    VIDEO,
    AUDIO,
    DATA
}
