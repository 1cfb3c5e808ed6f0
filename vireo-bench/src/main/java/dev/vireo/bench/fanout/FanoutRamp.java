package dev.vireo.bench.fanout;

import static dev.vireo.bench.BenchLog.log;

import dev.vireo.bench.BenchLog;
import dev.vireo.bench.measure.LatencyRecorder.LatencySummary;
import dev.vireo.bench.measure.Measurement;
import dev.vireo.bench.measure.MeasurementWindow;
import dev.vireo.bench.peers.ServerUnderTest;
import dev.vireo.bench.probe.JfrSummary;
import dev.vireo.bench.probe.JvmProbe;
import dev.vireo.bench.probe.ProcFs;
import dev.vireo.bench.probe.ServerDelayProbe;
import dev.vireo.bench.source.ClipPublisher;
import dev.vireo.bench.source.SourceClip;
import dev.vireo.bench.viewers.Viewer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ramps viewers on one server: publisher first, a 0-viewer baseline, then step by step up to
 * the first step the server does not hold (plus, optionally, one step halfway back).
 */
final class FanoutRamp {

    /** Opens one viewer of the stream. */
    interface ViewerFactory {
        Viewer open();
    }

    /** Starts the publisher of the stream. */
    interface PublisherFactory {
        ClipPublisher start() throws Exception;
    }

    private static final long BASELINE_MILLIS = 3_000;

    private final BenchOptions options;
    private final ServerUnderTest server;
    private final Measurement measurement;
    private final PublisherFactory publisherFactory;
    private final ViewerFactory viewerFactory;
    private final String protocol;
    private final int bitrateKbps;
    private final SourceClip clip;
    private final Path workDir;
    private final List<Viewer> viewers = new ArrayList<>();
    private final Semaphore connecting;
    private JvmProbe.LiveHeap baselineHeap;
    private Runnable joinLog = () -> { };
    private Runnable afterClose = () -> { };
    private ClipPublisher publisher;

    FanoutRamp(BenchOptions options, ServerUnderTest server, Measurement measurement, PublisherFactory publisherFactory,
               ViewerFactory viewerFactory, String protocol, int bitrateKbps, SourceClip clip, Path workDir) {
        this.options = options;
        this.server = server;
        this.measurement = measurement;
        this.publisherFactory = publisherFactory;
        this.viewerFactory = viewerFactory;
        this.protocol = protocol;
        this.bitrateKbps = bitrateKbps;
        this.clip = clip;
        this.workDir = workDir;
        this.connecting = new Semaphore(options.connectConcurrency());
    }

    /** Something to log once a step's viewers have started (WHEP: where their join time went). */
    FanoutRamp withJoinLog(Runnable log) {
        this.joinLog = log;
        return this;
    }

    /** Something to wait for after viewers were closed (WHEP: their DELETEs sent). */
    FanoutRamp withAfterClose(Runnable wait) {
        this.afterClose = wait;
        return this;
    }

    /** Expected wall time of one step, to decide whether another one fits the budget. */
    long stepMillis() {
        return options.settleSeconds() * 1000L + options.stepSeconds() * 1000L + options.graceMillis() + 5_000;
    }

    RampResult run(long deadlineNanos) throws Exception {
        Optional<JvmProbe> jvm = server.jvm();
        Path jfr = workDir.resolve(server.name() + "-" + bitrateKbps + "k-" + protocol + ".jfr");
        boolean profiling = options.profile() && jvm.isPresent();
        List<StepResult> steps = new ArrayList<>();
        String stopped = "reached --max-viewers";
        try (ClipPublisher publisher = publisherFactory.start()) {
            this.publisher = publisher;
            awaitPlayable();
            measurement.firstFrame().reset(); // the probe's join is not one of the ramp's
            RampResult.Baseline baseline = baseline(jvm);
            log("baseline: server cpu %.1f%%, rss %d MB%s", baseline.serverCpuPercent(), baseline.serverRssKb() / 1024,
                    baseline.serverLiveHeapBytes() == null ? "" : ", live heap " + baseline.serverLiveHeapBytes() / 1024 / 1024 + " MB");
            if (profiling) {
                jvm.get().startRecording(jfr, (int) Math.max(30, (deadlineNanos - System.nanoTime()) / 1_000_000_000L));
            }
            StepResult held = null;
            StepResult failed = null;
            for (int n : options.effectiveSteps()) {
                if (System.nanoTime() + stepMillis() * 1_000_000L > deadlineNanos) {
                    stopped = "time limit before " + n + " viewers";
                    break;
                }
                if (!publisher.isOpen()) {
                    stopped = "publisher disconnected: " + publisher.closeReason();
                    break;
                }
                StepResult r = stepWithRetries(n, jvm, steps, deadlineNanos);
                if (r.held()) {
                    held = r;
                } else {
                    failed = r;
                    stopped = "not held at " + n + " viewers";
                    break;
                }
            }
            if (options.refine() && failed != null && publisher.isOpen()
                    && System.nanoTime() + stepMillis() * 1_000_000L < deadlineNanos) {
                int low = held == null ? 0 : held.viewers();
                int mid = roundStep((low + failed.viewers()) / 2);
                if (mid > low && mid < failed.viewers()) {
                    restartViewers();
                    StepResult r = stepWithRetries(mid, jvm, steps, deadlineNanos);
                    stopped += "; refined at " + mid + ": " + (r.held() ? "held" : "not held");
                }
            }
            List<String> profile = List.of();
            if (profiling) {
                jvm.get().stopRecording();
                profile = JfrSummary.topFrames(jfr, 15);
            }
            RampResult result = result(baseline, steps, stopped, publisher.maxLagMillis(), profile);
            log("%s %s %dk: held %d viewers (%s)", server.name(), protocol, bitrateKbps, result.viewersHeld(), stopped);
            return result;
        } finally {
            trimTo(0);
        }
    }

    private RampResult result(RampResult.Baseline baseline, List<StepResult> steps, String stopped, long lag,
                              List<String> profile) {
        RampResult draft = new RampResult(server.name(), protocol, bitrateKbps, clip.kbps(), clip.fps(), baseline,
                List.copyOf(steps), 0, null, null, CpuFit.of(baseline.serverCpuPercent(), steps), stopped, lag, profile);
        StepResult held = draft.heldStep();
        if (held == null) {
            return draft;
        }
        // memory per viewer from the largest step held before any failure: an overloaded step
        // leaves grown buffers and heap capacity behind that a later, smaller step would inherit
        StepResult clean = null;
        for (StepResult s : steps) {
            if (!s.held()) {
                break;
            }
            clean = s;
        }
        Long heapPerViewer = null;
        Long rssPerViewer = null;
        if (clean != null) {
            heapPerViewer = clean.serverLiveHeapBytes() == null || baseline.serverLiveHeapBytes() == null ? null
                    : (clean.serverLiveHeapBytes() - baseline.serverLiveHeapBytes()) / clean.viewers();
            rssPerViewer = (clean.serverRssKb() - baseline.serverRssKb()) * 1024 / clean.viewers();
        }
        return new RampResult(server.name(), protocol, bitrateKbps, clip.kbps(), clip.fps(), baseline,
                List.copyOf(steps), held.viewers(), heapPerViewer, rssPerViewer, draft.cpuFit(), stopped, lag, profile);
    }

    /** Steps in the refinement are multiples of 10 (of 50 above 500). */
    static int roundStep(int n) {
        int unit = n > 500 ? 50 : 10;
        return Math.max(unit, Math.round(n / (float) unit) * unit);
    }

    /** A first viewer must see a stamped frame: the stream is live end to end. */
    private void awaitPlayable() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "no attempt";
        while (System.nanoTime() < deadline) {
            Viewer probe = viewerFactory.open();
            try {
                probe.started().get(5, TimeUnit.SECONDS);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < until && probe.counters().totalFrames() == 0 && probe.isOpen()) {
                    Thread.sleep(50);
                }
                if (probe.counters().totalFrames() > 0) {
                    if (probe.counters().unstampedFrames() == probe.counters().totalFrames()) {
                        Thread.sleep(1000);
                        if (probe.counters().unstampedFrames() == probe.counters().totalFrames()) {
                            throw new IllegalStateException("video reached the viewer without the bench's SEI stamp: "
                                    + "the server alters the bitstream; latency cannot be measured");
                        }
                    }
                    return;
                }
                last = probe.isOpen() ? "no frames within 5 s" : "closed: " + probe.closeReason();
            } catch (TimeoutException e) {
                last = "play did not start within 5 s";
            } catch (java.util.concurrent.ExecutionException e) {
                last = String.valueOf(e.getCause().getMessage());
            } finally {
                probe.close();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(server.name() + ": the published stream never became playable over "
                + protocol + " (" + last + "); server log: " + server.log());
    }

    private RampResult.Baseline baseline(Optional<JvmProbe> jvm) throws Exception {
        Thread.sleep(1_000);
        awaitQuiet();
        ProcFs.Usage s0 = server.usage();
        ProcFs.Usage b0 = ProcFs.usage(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        Thread.sleep(BASELINE_MILLIS);
        ProcFs.Usage s1 = server.usage();
        ProcFs.Usage b1 = ProcFs.usage(ProcessHandle.current().pid());
        long nanos = System.nanoTime() - t0;
        Long heap = null;
        if (jvm.isPresent()) {
            baselineHeap = jvm.get().liveHeap();
            heap = baselineHeap.totalBytes();
        }
        return new RampResult.Baseline(ProcFs.cpuPercent(s0, s1, nanos), s1.rssKb(), heap, ProcFs.cpuPercent(b0, b1, nanos));
    }

    /**
     * Runs a step; when it is not held and other processes were busy during its window, runs it
     * again (up to --retries times): on a shared machine a burst of someone else's build must
     * not decide the result. Every attempt is kept in {@code steps}.
     */
    private StepResult stepWithRetries(int n, Optional<JvmProbe> jvm, List<StepResult> steps, long deadlineNanos)
            throws Exception {
        StepResult r = step(n, jvm);
        steps.add(r);
        for (int attempt = 0; attempt < options.retries() && !r.held() && options.quietCpuPercent() > 0
                && r.otherCpuPercent() > options.quietCpuPercent()
                && System.nanoTime() + stepMillis() * 1_000_000L < deadlineNanos; attempt++) {
            log("other processes used %.0f%% CPU during that window: measuring %d viewers again, all reconnected",
                    r.otherCpuPercent(), n);
            restartViewers();
            r = step(n, jvm);
            steps.add(r);
        }
        return r;
    }

    /**
     * Waits (at most --quiet-wait) until processes other than the server and this bench use less
     * than --quiet-cpu, sampled over 1 s.
     */
    private void awaitQuiet() throws InterruptedException {
        if (options.quietCpuPercent() <= 0) {
            return;
        }
        long pid = ProcessHandle.current().pid();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.quietWaitSeconds());
        double other;
        do {
            ProcFs.Usage s0 = server.usage();
            ProcFs.Usage b0 = ProcFs.usage(pid);
            long m0 = ProcFs.systemBusyTicks();
            long t0 = System.nanoTime();
            Thread.sleep(1_000);
            long ticks = (ProcFs.systemBusyTicks() - m0) - (server.usage().cpuTicks() - s0.cpuTicks())
                    - (ProcFs.usage(pid).cpuTicks() - b0.cpuTicks());
            other = ProcFs.ticksPercent(ticks, System.nanoTime() - t0);
            if (other <= options.quietCpuPercent()) {
                return;
            }
        } while (System.nanoTime() < until);
        log("other processes still use %.0f%% CPU after %d s: measuring anyway", other, options.quietWaitSeconds());
    }

    private StepResult step(int n, Optional<JvmProbe> jvm) throws Exception {
        List<Viewer> fresh = adjustTo(n);
        int failedToStart = awaitStarted(fresh);
        joinLog.run();
        awaitCaughtUp();
        Thread.sleep(options.settleSeconds() * 1000L);
        awaitQuiet();

        long pid = ProcessHandle.current().pid();
        ProcFs.Usage s0 = server.usage();
        ProcFs.Usage b0 = ProcFs.usage(pid);
        long m0 = ProcFs.systemBusyTicks();
        Map<Long, ProcFs.NamedTicks> all0 = ProcFs.allProcesses();
        Optional<ServerDelayProbe> delayProbe = protocol.equals("whep")
                ? server.metricsUrl().map(u -> new ServerDelayProbe(u, "vireo_webrtc_egress_delay_seconds"))
                : Optional.empty();
        Map<Double, Long> delay0 = delayProbe.map(ServerDelayProbe::scrape).orElse(Map.of());
        Optional<VariantTiming> variant = protocol.equals("whep") ? server.metricsUrl().map(VariantTiming::new)
                : Optional.empty();
        Map<String, Map<Double, Long>> gaps0 = variant.map(VariantTiming::scrape).orElse(Map.of());
        long t0 = System.nanoTime();
        MeasurementWindow w = measurement.open(options.stepSeconds() * 1000L);
        Thread.sleep(options.stepSeconds() * 1000L);
        ProcFs.Usage s1 = server.usage();
        ProcFs.Usage b1 = ProcFs.usage(pid);
        long m1 = ProcFs.systemBusyTicks();
        Map<Long, ProcFs.NamedTicks> all1 = ProcFs.allProcesses();
        long nanos = System.nanoTime() - t0;
        ServerDelayProbe.Summary serverDelay = delayProbe
                .map(p -> ServerDelayProbe.between(delay0, p.scrape())).orElse(null);
        Map<String, ServerDelayProbe.Summary> frameGaps = variant
                .map(v -> VariantTiming.between(gaps0, v.scrape())).orElse(Map.of());
        Set<Long> ours = ProcFs.tree(server.pid());
        ours.add(pid);
        List<String> topOthers = ProcFs.topOthers(all0, all1, ours, nanos, 3);
        double load = ProcFs.loadAverage();
        long otherTicks = (m1 - m0) - (s1.cpuTicks() - s0.cpuTicks()) - (b1.cpuTicks() - b0.cpuTicks());
        Thread.sleep(options.graceMillis());
        LatencySummary latency = measurement.latency().snapshot();

        long sentFrames = publisher.counters().framesIn(w);
        long sentBytes = publisher.counters().bytesIn(w);
        LatencySummary firstFrame = measurement.firstFrame().snapshot();
        long packets = 0;
        long lost = 0;
        long[] frames = new long[viewers.size()];
        long[] packetsPerViewer = new long[viewers.size()];
        double kbpsSum = 0;
        double kbpsMin = Double.MAX_VALUE;
        int disconnected = 0;
        for (int i = 0; i < viewers.size(); i++) {
            Viewer v = viewers.get(i);
            frames[i] = v.counters().framesIn(w);
            packetsPerViewer[i] = v.counters().packetsIn(w);
            packets += packetsPerViewer[i];
            lost += v.counters().lostIn(w);
            double kbps = v.counters().bytesIn(w) * 8.0 / 1000.0 / w.seconds();
            kbpsSum += kbps;
            kbpsMin = Math.min(kbpsMin, kbps);
            if (!v.isOpen()) {
                disconnected++;
            }
        }
        HoldCriteria criteria = options.criteria();
        String verdict = criteria.verdict(n, frames, sentFrames, latency);
        long needed = criteria.framesNeeded(sentFrames);
        int shortViewers = n - frames.length;
        double ratioSum = 0;
        double ratioMin = frames.length < n ? 0 : 1;
        for (long f : frames) {
            double ratio = sentFrames == 0 ? 0 : Math.min(1.0, f / (double) sentFrames);
            ratioSum += ratio;
            ratioMin = Math.min(ratioMin, ratio);
            if (f < needed) {
                shortViewers++;
            }
        }
        Long heap = null;
        List<JvmProbe.ClassGrowth> growth = List.of();
        if (jvm.isPresent()) {
            JvmProbe.LiveHeap h = jvm.get().liveHeap();
            heap = h.totalBytes();
            if (baselineHeap != null) {
                growth = h.growthSince(baselineHeap, 8);
            }
        }
        double cpu = ProcFs.cpuPercent(s0, s1, nanos);
        double cpuMicrosPerViewerSecond = (s1.cpuMicros() - s0.cpuMicros()) / (n * (nanos / 1e9));
        StepResult r = new StepResult(n, frames.length - disconnected, failedToStart, disconnected, w.seconds(),
                sentFrames, sentBytes * 8.0 / 1000.0 / w.seconds(),
                ratioMin, ratioSum / n, shortViewers,
                frames.length == 0 ? 0 : kbpsSum / frames.length, frames.length == 0 ? 0 : kbpsMin,
                latency, cpu, ProcFs.ticksPercent(s1.userTicks() - s0.userTicks(), nanos), cpuMicrosPerViewerSecond, s1.rssKb(), heap, ProcFs.cpuPercent(b0, b1, nanos),
                Math.max(0, ProcFs.ticksPercent(otherTicks, nanos)), load, topOthers,
                verdict.equals("held"), verdict, growth, firstFrame, loneJoins(), packets, lost, serverDelay,
                packets == 0 ? -1 : VariantTiming.keptUp(packetsPerViewer), frameGaps);
        log("%5d viewers: frames min %.1f%% avg %.1f%%, %.0f kbps/viewer (source %.0f), latency p50 %.1f p99 %.1f max %.1f ms, "
                        + "server cpu %.0f%% (user %.0f%%, %.0f us/viewer/s) rss %d MB%s, bench cpu %.0f%%, other cpu %.0f%% -> %s",
                n, ratioMin * 100, r.avgFrameRatio() * 100, r.deliveredKbpsAvg(), r.sourceKbps(), latency.p50Ms(),
                latency.p99Ms(), latency.maxMs(), cpu, r.serverUserCpuPercent(), cpuMicrosPerViewerSecond, s1.rssKb() / 1024,
                heap == null ? "" : " heap " + heap / 1024 / 1024 + " MB", r.benchCpuPercent(), r.otherCpuPercent(), verdict);
        if (firstFrame.count() > 0 || packets > 0) {
            log("        first frame p50 %.0f p99 %.0f ms (%d joins at once), one by one p50 %.0f max %.0f ms (%d)%s",
                    firstFrame.p50Ms(), firstFrame.p99Ms(), firstFrame.count(), r.joinFirstFrame().p50Ms(),
                    r.joinFirstFrame().maxMs(), r.joinFirstFrame().count(), packets == 0 ? "" : String.format(Locale.ROOT, ", RTP packets %d, lost %d (%.3f%%)",
                            packets, lost, r.lossRatio() * 100));
        }
        if (r.keptUp() >= 0) {
            log("        viewers with >= %.0f%% of the median viewer's RTP packets: %d of %d",
                    VariantTiming.KEPT_SHARE * 100, r.keptUp(), n);
        }
        frameGaps.forEach((series, g) -> log("        transcode frame gaps %-9s p50 <= %.0f, p99 <= %.0f, p99.9 <= %.0f ms (%d gaps)",
                series, g.p50Ms(), g.p99Ms(), g.p999Ms(), g.count()));
        if (serverDelay != null) {
            log("        server-added latency (server's own histogram, %d frame deliveries): p50 <= %.2f, p99 <= %.2f, p99.9 <= %.2f ms",
                    serverDelay.count(), serverDelay.p50Ms(), serverDelay.p99Ms(), serverDelay.p999Ms());
        }
        if (r.otherCpuPercent() > 10) {
            log("        busiest other processes: %s", String.join(", ", topOthers));
        }
        return r;
    }

    /**
     * Time to first frame of a viewer joining alone: --join-probes viewers, one after the other,
     * each closed once it has its first frame (or after 5 s), while the step's viewers play.
     */
    private LatencySummary loneJoins() throws InterruptedException {
        measurement.firstFrame().reset();
        for (int i = 0; i < options.joinProbes(); i++) {
            Viewer v = viewerFactory.open();
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() < until && v.counters().totalFrames() == 0 && !v.started().isCompletedExceptionally()) {
                    Thread.sleep(5);
                }
            } finally {
                v.close();
            }
        }
        return measurement.firstFrame().snapshot();
    }

    /** Drops closed viewers, then opens or closes viewers to have {@code n}; returns the new ones. */
    private List<Viewer> adjustTo(int n) throws InterruptedException {
        viewers.removeIf(v -> {
            if (!v.isOpen()) {
                v.close();
                return true;
            }
            return false;
        });
        trimTo(n);
        List<Viewer> fresh = new ArrayList<>();
        while (viewers.size() < n) {
            connecting.acquire();
            Viewer v = viewerFactory.open();
            v.started().whenComplete((ok, err) -> connecting.release());
            viewers.add(v);
            fresh.add(v);
        }
        return fresh;
    }

    /**
     * Closes every viewer and pauses: after an overloaded step the kernel socket buffers (MBs per
     * connection on loopback) hold seconds of backlog that a new step must not inherit.
     */
    private void restartViewers() throws InterruptedException {
        trimTo(0);
        afterClose.run();
        Thread.sleep(3_000);
    }

    private void trimTo(int n) {
        while (viewers.size() > n) {
            viewers.removeLast().close();
        }
    }

    /** Waits for the new viewers to start playing; those that fail are closed and dropped. */
    private int awaitStarted(List<Viewer> fresh) throws InterruptedException {
        // a WHEP join is an HTTP exchange, ICE and a DTLS handshake (two of them on a 2-core box,
        // the bench's and the server's): it gets 5 s per 100 joins, RTMP 1 s
        int perHundred = protocol.equals("whep") ? 5 : 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15 + fresh.size() * perHundred / 100);
        int failed = 0;
        java.util.Set<String> reasons = new java.util.LinkedHashSet<>();
        for (Viewer v : fresh) {
            CompletableFuture<Void> f = v.started();
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                failed++;
                if (reasons.size() < 3) {
                    reasons.add(e instanceof TimeoutException ? "not started before the step's deadline"
                            : String.valueOf(e.getCause().getMessage()));
                }
                v.close();
                viewers.remove(v);
            }
        }
        if (failed > 0) {
            log("%d of %d new viewers failed to start playing (%s)", failed, fresh.size(), String.join("; ", reasons));
        }
        return failed;
    }

    /**
     * Waits (up to 15 s) until every viewer receives frames less than half the latency bound
     * old: a server that sends new viewers its GOP cache first must be done with that burst
     * before the window opens, or the window would measure the join rather than the steady state.
     */
    private void awaitCaughtUp() throws InterruptedException {
        long bound = (long) (options.maxP99Millis() * 1_000_000 / 2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int behind;
        do {
            behind = 0;
            for (Viewer v : viewers) {
                if (v.isOpen() && v.counters().lastDelayNanos() > bound) {
                    behind++;
                }
            }
            if (behind == 0) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        log("%d viewers still behind by more than %d ms after 15 s: measuring anyway", behind, bound / 1_000_000);
    }
}
