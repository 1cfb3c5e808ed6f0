package dev.vireo.bench.fanout;

import java.util.List;

/**
 * One server's ramp at one bitrate over one viewer protocol.
 *
 * @param server             "vireo", "nginx-rtmp" or "janus"
 * @param protocol           viewer protocol, "rtmp" or "flv"
 * @param bitrateKbps        nominal source video bitrate
 * @param sourceKbps         measured payload bitrate of the clip (audio + video + stamps)
 * @param sourceFps          video frames per second of the clip
 * @param baseline           the server with the publisher and no viewer
 * @param steps              every step run, in order (the refinement step last)
 * @param viewersHeld        the largest step held (0 when none)
 * @param heapBytesPerViewer (live heap − baseline) / viewers at the largest step held before any
 *                           failure; null for non-JVM servers
 * @param rssBytesPerViewer  (RSS − baseline) / viewers at that same step
 * @param cpuFit             server CPU per viewer, fitted over the held steps
 * @param stoppedBecause     why the ramp ended
 * @param publisherMaxLagMillis worst lateness of the publisher against its schedule (bench health)
 * @param profile            top frames of a JFR recording of the server, when asked for
 */
record RampResult(String server, String protocol, int bitrateKbps, double sourceKbps, double sourceFps,
                  Baseline baseline, List<StepResult> steps, int viewersHeld,
                  Long heapBytesPerViewer, Long rssBytesPerViewer, CpuFit cpuFit, String stoppedBecause,
                  long publisherMaxLagMillis, List<String> profile) {

    /** The server with the publisher connected and no viewers. */
    record Baseline(double serverCpuPercent, long serverRssKb, Long serverLiveHeapBytes, double benchCpuPercent) {
    }

    /** The step with {@link #viewersHeld} viewers (the largest held), or null. */
    StepResult heldStep() {
        StepResult best = null;
        for (StepResult s : steps) {
            if (s.held() && (best == null || s.viewers() > best.viewers())) {
                best = s;
            }
        }
        return best;
    }

    /** The first step that was not held, or null. */
    StepResult firstFailure() {
        return steps.stream().filter(s -> !s.held()).findFirst().orElse(null);
    }

    /** The smallest step: its latency is the closest to what the server alone adds. */
    StepResult lightestStep() {
        return steps.stream().filter(StepResult::held).findFirst().orElse(null);
    }
}
