package dev.vireo.webrtc.whep;

import dev.vireo.core.HubException;
import dev.vireo.core.LogContext;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Stream;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.Subscriber;
import dev.vireo.core.Subscription;
import dev.vireo.webrtc.abr.RenditionPolicy;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WHEP viewer's ABR (issue 18): which rendition of its ladder its video comes from. Index 0 is
 * what the viewer subscribed to (the stream or its browser variant); the others are the domain's
 * ladder of transcoding templates, highest first. {@link RenditionPolicy} turns the bandwidth
 * estimate into a target; the target's variant is subscribed (started on demand, shared) and the
 * viewer's video switches at the target's next keyframe — its parameter sets first, RTP sequence
 * numbers continuing and timestamps continuing ({@link ViewerRtp#rebaseVideo}) — and the
 * previous rendition's subscription closes. Audio always comes from index 0 (the renditions'
 * audio is AAC; the viewer's Opus stays as it was), so the viewer hears no switch.
 *
 * <p>On the session's loop, but for the subscription itself, which may wait for the variant's
 * transcode to start ({@link StreamHub#subscribe}) and runs on a virtual thread.
 */
final class RenditionSwitch {

    private static final Logger log = LoggerFactory.getLogger(RenditionSwitch.class);

    /** What the session does for the switch. */
    interface Session {
        /** Sends a frame of the current rendition (video) as the live path does. */
        void deliver(MediaFrame frame, long now);

        /** The rendition's parameter sets, for the next keyframes. */
        void videoConfig(MediaFrame config);

        /** The video continues from a keyframe at {@code pts} (ms) on another timeline: the switch. */
        void rebase(long keyframePts, long now);

        EventExecutor executor();

        String id();

        StreamKey key();

        boolean isClosed();
    }

    private final StreamHub hub;
    private final Session session;
    private final List<Rendition> lower;
    private final Subscription[] subscriptions;
    private final boolean[] subscribing;
    private final MediaFrame[] configs;
    /** How often the top's bitrate is asked again (a stream's measured bitrate is a windowed rate). */
    private static final long TOP_REFRESH_NANOS = 1_000_000_000L;

    private RenditionPolicy policy;
    private long topAskedNanos;
    private volatile int current;
    private volatile long switches;
    private volatile long lastSwitchNanos = -1;

    /** @param lower the ladder below index 0, highest first */
    RenditionSwitch(StreamHub hub, Session session, List<Rendition> lower) {
        this.hub = hub;
        this.session = session;
        this.lower = List.copyOf(lower);
        this.subscriptions = new Subscription[lower.size() + 1];
        this.subscribing = new boolean[lower.size() + 1];
        this.configs = new MediaFrame[lower.size() + 1];
    }

    /**
     * A bandwidth estimate; {@code topBitrate} is index 0's bitrate (-1 while not known), asked
     * until known and then again every {@link #TOP_REFRESH_NANOS}. Sets the target and subscribes
     * to it when needed.
     */
    void onEstimate(long estimateBps, java.util.function.LongSupplier topBitrate, long now) {
        if (estimateBps < 0) {
            return;
        }
        if (policy != null && now - topAskedNanos >= TOP_REFRESH_NANOS) {
            topAskedNanos = now;
            policy.top(topBitrate.getAsLong());
        }
        if (policy == null) {
            topAskedNanos = now;
            long topBps = topBitrate.getAsLong();
            if (topBps <= 0) {
                return;
            }
            List<Long> ladder = new ArrayList<>();
            ladder.add(topBps);
            for (Rendition r : lower) {
                ladder.add(r.bitrateBps() < ladder.getLast() ? r.bitrateBps() : ladder.getLast() - 1);
            }
            policy = new RenditionPolicy(ladder.stream().mapToLong(Long::longValue).toArray(), 0,
                    RenditionPolicy.Config.DEFAULT);
            LogContext.run(session.key(), session.id(), () -> log.info("ABR ladder (kbps, the top as the stream measures it):"
                    + " {}", ladder.stream().map(b -> b / 1000).toList()));
        }
        int target = policy.onEstimate(estimateBps, now);
        if (target != policy.current() && target > 0 && subscriptions[target] == null && !subscribing[target]) {
            subscribe(target);
        }
    }

    private void subscribe(int index) {
        subscribing[index] = true;
        Rendition r = lower.get(index - 1);
        LogContext.run(session.key(), session.id(), () -> log.info("estimate below the current rendition: "
                + "subscribing to {} ({} kbps)", r.key(), r.bitrateBps() / 1000));
        Reader reader = new Reader(index);
        Thread.ofVirtual().name("whep-abr-" + session.id()).start(() -> {
            try {
                Subscription sub = hub.subscribe(r.key(), reader);
                session.executor().execute(() -> {
                    subscribing[index] = false;
                    if (session.isClosed() || policy.target() != index && policy.current() != index) {
                        sub.close();
                    } else {
                        subscriptions[index] = sub;
                        // the switch waits for a keyframe: a WHIP simulcast layer sends one only on request
                        sub.stream().requestKeyframe(reader.id());
                    }
                });
            } catch (HubException | RuntimeException e) {
                session.executor().execute(() -> subscribing[index] = false);
                LogContext.run(session.key(), session.id(), () -> log.warn("rendition {} not available: {}",
                        r.key(), e.getMessage()));
            }
        });
    }

    /**
     * A frame of index 0 (the session's own subscription): config frames are kept; returns
     * whether the session sends it (audio always, video while index 0 is current).
     */
    boolean fromTop(MediaFrame frame, long now) {
        return accept(0, frame, now);
    }

    /** Index {@code index}'s frame: true when it is to be sent. */
    private boolean accept(int index, MediaFrame frame, long now) {
        if (frame.isConfig()) {
            if (frame.isVideo()) {
                if (configs[index] != null) {
                    configs[index].release();
                }
                configs[index] = frame.retain();
                return index == current;
            }
            return index == 0;
        }
        if (!frame.isVideo()) {
            return index == 0;
        }
        if (policy != null && index != current && frame.isKeyframe() && policy.onKeyframe(index, now)) {
            int from = current;
            current = index;
            switches++;
            lastSwitchNanos = now;
            if (configs[index] != null) {
                session.videoConfig(configs[index]);
            }
            session.rebase(frame.pts(), now);
            String sets = parameterSets(configs[index]);
            int keyBytes = frame.payload().readableBytes();
            LogContext.run(session.key(), session.id(), () -> log.info("switched from {} to {} at a keyframe"
                    + " ({} bytes, parameter sets {})", name(from), name(index), keyBytes, sets));
            for (int i = 1; i < subscriptions.length; i++) {
                if (i != index && subscriptions[i] != null) {
                    subscriptions[i].close();
                    subscriptions[i] = null;
                }
            }
        }
        return index == current;
    }

    /** The picture size a rendition's parameter sets give, for the log ("none" without them). */
    private static String parameterSets(MediaFrame config) {
        if (config == null) {
            return "none";
        }
        return dev.vireo.media.CodecConfigs.describe(config.codec(), config.payload().duplicate())
                .map(t -> t.width() + "x" + t.height()).orElse("unreadable");
    }

    /** The stream whose frames the viewer's video comes from now, or null for index 0. */
    Stream currentStream() {
        int c = current;
        Subscription s = c == 0 ? null : subscriptions[c];
        return s == null ? null : s.stream();
    }

    /** The name of the rendition sent now: "source" or the template id. */
    String currentName() {
        return name(current);
    }

    private String name(int index) {
        return index == 0 ? "source" : lower.get(index - 1).name();
    }

    /**
     * The rate the viewer's link must carry for the top of its ladder, which probing looks for; 0
     * when there is nothing to look for (at the top, a switch pending, or before the ladder is known).
     */
    long probeTopBps() {
        RenditionPolicy p = policy;
        return p == null ? 0 : p.probeTopBps();
    }

    long switches() {
        return switches;
    }

    long lastSwitchNanos() {
        return lastSwitchNanos;
    }

    void close() {
        for (int i = 0; i < subscriptions.length; i++) {
            if (subscriptions[i] != null) {
                subscriptions[i].close();
                subscriptions[i] = null;
            }
            if (configs[i] != null) {
                configs[i].release();
                configs[i] = null;
            }
        }
    }

    /** The subscription to one rendition: frames on the session's loop. */
    private final class Reader implements Subscriber {

        private final int index;

        Reader(int index) {
            this.index = index;
        }

        @Override
        public String id() {
            return session.id() + "-" + name(index);
        }

        @Override
        public EventExecutor executor() {
            return session.executor();
        }

        @Override
        public void onFrame(MediaFrame frame) {
            if (session.isClosed() || frame.isData()) {
                return;
            }
            if (subscriptions[index] == null && !frame.isConfig()) {
                // The attach burst (the variant's cached GOP, behind the live edge) arrives before
                // the subscription is recorded on this loop: only its parameter sets are kept, the
                // switch waits for a live keyframe.
                return;
            }
            long now = System.nanoTime();
            if (accept(index, frame, now) && !frame.isConfig()) {
                session.deliver(frame, now);
            }
        }

        @Override
        public void onEnd(String reason) {
            subscriptions[index] = null;
            if (current == index) {
                // The variant stopped: back to index 0 (the viewer's next PLI gets its keyframe).
                current = 0;
                policy.fallBack(0);
                if (configs[0] != null) {
                    session.videoConfig(configs[0]);
                }
                LogContext.run(session.key(), session.id(), () -> log.warn("rendition {} ended ({}): back to {}",
                        name(index), reason, name(0)));
            }
        }

        /** A viewer of the variant (it keeps the shared transcode running), counted as WHEP. */
        @Override
        public String protocol() {
            return WhepPlayback.PROTOCOL;
        }
    }
}
