package dev.vireo.bench.fanout;

import dev.vireo.bench.measure.LatencyRecorder.LatencySummary;
import dev.vireo.bench.probe.JvmProbe;
import dev.vireo.bench.probe.ServerDelayProbe;
import java.util.List;

/**
 * What one ramp step measured.
 *
 * @param viewers             viewers the step asked for
 * @param playing             viewers that started playing and were still connected at the end
 * @param failedToStart       viewers whose connect/play failed or timed out
 * @param disconnected        viewers that had started and were then disconnected
 * @param seconds             length of the measurement window
 * @param sourceFrames        video frames the publisher sent inside the window
 * @param sourceKbps          payload bitrate the publisher sent inside the window
 * @param minFrameRatio       lowest share of the source frames any viewer received (0..1)
 * @param avgFrameRatio       average share over all viewers asked for
 * @param viewersShort        viewers below the required share (including failed/disconnected ones)
 * @param deliveredKbpsAvg    average payload bitrate received per viewer
 * @param deliveredKbpsMin    lowest payload bitrate received by a viewer
 * @param latency             delivery latency (receive − send) of frames sent inside the window
 * @param serverCpuPercent    server process CPU over the window (100 = one core)
 * @param serverUserCpuPercent the part of it in user space (the rest is the kernel: TCP, syscalls)
 * @param serverCpuMicrosPerViewerSecond server CPU time per viewer and second
 * @param serverRssKb         server VmRSS at the end of the window
 * @param serverLiveHeapBytes live heap after a forced GC (JVM servers), else null
 * @param benchCpuPercent     this bench process's CPU over the window
 * @param otherCpuPercent     CPU used on the machine by everything else (other builds, other
 *                            benchmarks) over the window: above a few % the step is noisy
 * @param loadAverage         1-minute load average at the end of the window
 * @param topOthers           the other processes that used the most CPU in the window
 * @param held                whether the server held this many viewers
 * @param verdict             "held" or why not
 * @param heapGrowth          classes that grew most on the heap since the 0-viewer baseline
 * @param firstFrame          request (connect / WHEP POST) to first complete video frame, of the
 *                            viewers that joined for this step
 * @param joinFirstFrame      the same for viewers joining one at a time after the window, with
 *                            the step's viewers playing (what one new viewer sees at this load)
 * @param packetsReceived     datagram flows (WHEP): RTP packets received in the window by all viewers
 * @param packetsLost         RTP sequence numbers missing in the window (sent or dropped on the way,
 *                            loopback has no other loss); 0 for TCP flows
 * @param serverDelay         server-added latency as the server measures it (WHEP on Vireo), else null
 * @param keptUp              datagram flows: viewers that got at least 90 % of the median viewer's RTP
 *                            packets in the window ({@link VariantTiming#keptUp}), else -1
 * @param frameGaps           WHEP on Vireo with a transcoded variant playing: gaps between frames at the
 *                            transcoding job's input and output ({@link VariantTiming}), else empty
 */
record StepResult(int viewers, int playing, int failedToStart, int disconnected, double seconds,
                  long sourceFrames, double sourceKbps,
                  double minFrameRatio, double avgFrameRatio, int viewersShort,
                  double deliveredKbpsAvg, double deliveredKbpsMin,
                  LatencySummary latency,
                  double serverCpuPercent, double serverUserCpuPercent, double serverCpuMicrosPerViewerSecond, long serverRssKb,
                  Long serverLiveHeapBytes, double benchCpuPercent, double otherCpuPercent, double loadAverage,
                  List<String> topOthers,
                  boolean held, String verdict, List<JvmProbe.ClassGrowth> heapGrowth,
                  LatencySummary firstFrame, LatencySummary joinFirstFrame, long packetsReceived, long packetsLost,
                  ServerDelayProbe.Summary serverDelay, int keptUp,
                  java.util.Map<String, ServerDelayProbe.Summary> frameGaps) {

    /** Lost share of the RTP packets, 0..1 (0 without datagram flows). */
    double lossRatio() {
        long all = packetsReceived + packetsLost;
        return all <= 0 ? 0 : Math.max(0, packetsLost) / (double) all;
    }
}
