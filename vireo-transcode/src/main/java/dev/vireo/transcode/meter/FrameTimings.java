package dev.vireo.transcode.meter;

/**
 * Where a transcoder reports the wall-clock gaps between consecutive media frames of a track, at
 * both ends of its jobs: as the hub delivers the source to a job ({@link Stage#IN}: what a viewer
 * of the source gets) and as the job publishes ffmpeg's output ({@link Stage#OUT}: what a viewer
 * of the variant gets). A source at 30 fps gives video gaps of about 33 ms; output that reaches the
 * hub in clumps shows up as gaps near 0 followed by long ones. Called on the job's threads; must
 * not block.
 */
@FunctionalInterface
public interface FrameTimings {

    FrameTimings NONE = (stage, video, gapNanos) -> { };

    enum Stage { IN, OUT }

    void gap(Stage stage, boolean video, long gapNanos);
}
