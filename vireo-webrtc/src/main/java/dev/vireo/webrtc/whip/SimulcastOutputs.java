package dev.vireo.webrtc.whip;

import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamKey;
import dev.vireo.core.StreamStats;
import dev.vireo.media.CodecConfigs;
import dev.vireo.media.TrackInfo;
import dev.vireo.webrtc.sdp.SimulcastOffer;
import dev.vireo.webrtc.whep.Rendition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a simulcast publisher's frames go in the hub: every layer is a stream of its own, {@code
 * {stream}~{rid}} (published as derived: it is not ingest of its own, is not recorded, fires no
 * hooks), and the main stream {@code {stream}} carries the best live layer as {@link SimulcastMain}
 * chooses it, so that RTMP, HTTP-FLV, HLS and WHEP viewers of the stream see the largest picture.
 * The audio goes to every one of them. The lower live layers are the WHEP ABR ladder of the main
 * stream ({@link #ladder}), refreshed on the loop and read from any thread.
 *
 * <p>Not thread-safe but for {@link #ladder}, {@link #layerOf} and {@link #keys}: the session's loop
 * drives it.
 */
final class SimulcastOutputs implements AutoCloseable {

    /** Joins a stream name and a rid: {@code ~} is neither in rid-ids nor in the other suffixes ({@code _}, {@code @}). */
    static final String SEPARATOR = "~";

    private final SimulcastOffer offer;
    private final StreamKey mainKey;
    private final Publication main;
    private final List<StreamKey> keys;
    private final List<Publication> layers;
    private final SimulcastMain choice;
    private final MediaFrame[] configs;
    private final int[] width;
    private final int[] height;
    private volatile int current = -1;
    /** The last video time stamp the main stream got: a move to another layer never goes back in time. */
    private long mainVideoDts = Long.MIN_VALUE;
    private volatile List<Rendition> ladder = List.of();

    /**
     * @param main   the publication of the main stream
     * @param layers one publication per layer of {@code offer}, on {@link #layerKey} (taken over: closed with this)
     */
    SimulcastOutputs(SimulcastOffer offer, StreamKey mainKey, Publication main, List<Publication> layers) {
        if (layers.size() != offer.layers().size()) {
            throw new IllegalArgumentException("one publication per layer");
        }
        this.offer = offer;
        this.mainKey = mainKey;
        this.main = main;
        this.layers = List.copyOf(layers);
        this.keys = offer.layers().stream().map(rid -> layerKey(mainKey, rid)).toList();
        this.choice = new SimulcastMain(layers.size());
        this.configs = new MediaFrame[layers.size()];
        this.width = new int[layers.size()];
        this.height = new int[layers.size()];
    }

    /** The stream of one layer: {@code {stream}~{rid}}. */
    static StreamKey layerKey(StreamKey main, String rid) {
        return new StreamKey(main.vhost(), main.app(), main.stream() + SEPARATOR + rid);
    }

    SimulcastOffer offer() {
        return offer;
    }

    /** The layer streams, in the offer's order. */
    List<StreamKey> keys() {
        return keys;
    }

    /** The layer whose stream {@code key} is, {@link #MAIN} for the main stream, or {@link #NONE}. */
    int layerOf(StreamKey key) {
        if (key.equals(mainKey)) {
            return MAIN;
        }
        int i = keys.indexOf(key);
        return i < 0 ? NONE : i;
    }

    static final int MAIN = -1;
    static final int NONE = -2;

    /** The layer the main stream carries now, -1 before the first keyframe. */
    int current() {
        return current;
    }

    /**
     * A video frame (config or media) of {@code layer}; takes ownership.
     *
     * @return whether the main stream moved to {@code layer} with it
     */
    boolean video(int layer, MediaFrame frame, long nowNanos) {
        if (frame.isConfig()) {
            if (configs[layer] != null) {
                configs[layer].release();
            }
            configs[layer] = frame.retain();
            TrackInfo info = CodecConfigs.describe(frame.codec(), frame.payload().duplicate()).orElse(null);
            if (info != null) {
                width[layer] = info.width();
                height[layer] = info.height();
                choice.size(layer, info.width(), info.height());
            }
            if (layer == choice.current()) {
                sendMain(frame.retain());
            }
            layers.get(layer).send(frame);
            return false;
        }
        int before = choice.current();
        boolean moved = false;
        if (choice.onFrame(layer, frame.isKeyframe(), nowNanos)) {
            if (before != layer) {
                moved = true;
                current = layer;
                if (configs[layer] != null) {
                    sendMain(configs[layer].retain()); // the new layer's parameter sets before its keyframe
                }
            }
            sendMain(frame.retain());
        }
        layers.get(layer).send(frame);
        return moved;
    }

    /** A layer's picture size as its parameter sets say ("?" before them). */
    String size(int layer) {
        return width[layer] > 0 ? width[layer] + "x" + height[layer] : "?";
    }

    /**
     * A video frame into the main stream; takes ownership. The layers' clocks agree to a few ms
     * (sender reports put them on one wallclock): a frame of the layer moved to that would go
     * back in time is sent at the last time stamp instead.
     */
    private void sendMain(MediaFrame frame) {
        if (frame.dts() < mainVideoDts) {
            MediaFrame later = frame.withDts(mainVideoDts);
            frame.release();
            frame = later;
        }
        mainVideoDts = frame.dts();
        main.send(frame);
    }

    /** An audio frame (config or media): to the main stream and every layer; takes ownership. */
    void audio(MediaFrame frame) {
        for (Publication p : layers) {
            p.send(frame.retain());
        }
        main.send(frame);
    }

    /** The layer to ask for a keyframe so that the main stream moves to a better one, or -1. */
    int wantedKeyframe(long nowNanos) {
        return choice.wanted(nowNanos);
    }

    /** Whether a layer sent a frame within {@link SimulcastMain#STALE_NANOS}. */
    boolean live(int layer, long nowNanos) {
        return choice.live(layer, nowNanos);
    }

    String rid(int layer) {
        return offer.layers().get(layer);
    }

    /**
     * Refreshes {@link #ladder}: the live layers smaller than the main stream's, largest first,
     * each with the bitrate its stream measures.
     */
    void refreshLadder(long nowNanos) {
        int top = choice.current();
        if (top < 0) {
            ladder = List.of();
            return;
        }
        long topArea = (long) width[top] * height[top];
        List<Integer> lower = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            long area = (long) width[i] * height[i];
            if (i != top && choice.live(i, nowNanos) && area > 0 && area < topArea) {
                lower.add(i);
            }
        }
        lower.sort(Comparator.comparingLong((Integer i) -> (long) width[i] * height[i]).reversed());
        List<Rendition> out = new ArrayList<>(lower.size());
        for (int i : lower) {
            StreamStats stats = layers.get(i).stream().stats();
            long bps = Math.round(stats.bitrateKbps() * 1000); // video and audio, as a template's
            out.add(new Rendition(keys.get(i), rid(i), bps > 0 ? bps : 1));
        }
        ladder = List.copyOf(out);
    }

    /** The WHEP ABR ladder below the main stream (the lower live layers, highest first); any thread. */
    List<Rendition> ladder() {
        return ladder;
    }

    /** Main-stream layer changes so far. */
    long switches() {
        return choice.switches();
    }

    /** Whether the hub revoked any of the publications. */
    boolean isRevoked() {
        return main.isRevoked() || layers.stream().anyMatch(Publication::isRevoked);
    }

    /** Ends the layer streams (the main publication is the session's to close). */
    @Override
    public void close() {
        ladder = List.of();
        for (Publication p : layers) {
            p.close();
        }
        for (int i = 0; i < configs.length; i++) {
            if (configs[i] != null) {
                configs[i].release();
                configs[i] = null;
            }
        }
    }
}
