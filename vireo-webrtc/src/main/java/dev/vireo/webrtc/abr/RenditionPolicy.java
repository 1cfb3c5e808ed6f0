package dev.vireo.webrtc.abr;

import java.util.Arrays;

/**
 * Which rendition of a stream a WebRTC viewer should get, from its bandwidth estimate over time
 * (issue 18's ABR). The ladder is the stream and its transcoded renditions (e.g. source →
 * {@code _lhd} → {@code _lsd} → {@code _lld}, or a WHIP publisher's simulcast layers), highest
 * bitrate first; index 0 is the top.
 *
 * <p>The policy:
 * <ul>
 *   <li><b>Down</b>: when the estimate stays below the current rendition's bitrate ×
 *       {@link Config#downMargin} for {@link Config#downHoldNanos} without a break, the target
 *       becomes the highest lower rendition that the latest estimate carries (bitrate × down
 *       margin ≤ estimate), or the lowest. Several steps at once: a viewer that lost half its
 *       link should not freeze through every step.</li>
 *   <li><b>Up</b>: when the estimate stays above the next higher rendition's bitrate ×
 *       {@link Config#upMargin} for {@link Config#upHoldNanos} (longer than down), the target is
 *       that rendition: one step at a time, so a wrong guess costs one step.</li>
 *   <li><b>Hysteresis</b>: between the two margins nothing happens; a dip shorter than the down
 *       hold or a rise shorter than the up hold is ignored; the hold timers restart after every
 *       switch, so samples from the old rendition never move the new one.</li>
 *   <li><b>At keyframes</b>: a decision does not switch by itself; it sets a {@link #target()}.
 *       The session starts receiving the target's frames (starting its transcode on demand)
 *       and switches when the target's next keyframe arrives, calling {@link #onKeyframe};
 *       until then the viewer keeps the current rendition. If the estimate makes the target
 *       current again meanwhile, the pending switch is cancelled.</li>
 *   <li><b>Probing</b>: renditions are fixed-rate, and a sender that only sends its media never
 *       shows the estimator more capacity than it uses (GCC's estimate grows to at most 1.5 × the
 *       acknowledged rate), so a viewer moved down could never climb back. {@link #probeTopBps()}
 *       is the rate its link must carry for the top of the ladder (its bitrate × the up margin):
 *       what the session's probe clusters look for (short bursts above the estimate,
 *       {@code bwe.ProbeController}); each step up then follows its own hold.</li>
 * </ul>
 * Pure: every sample carries its time. Not thread-safe (one per viewer, on its event loop).
 */
public final class RenditionPolicy {

    /**
     * The policy's parameters.
     *
     * @param downMargin    go down when the estimate is below current bitrate × this
     * @param downHoldNanos ... for this long
     * @param upMargin      go up when the estimate is above the next higher bitrate × this
     * @param upHoldNanos   ... for this long
     */
    public record Config(double downMargin, long downHoldNanos, double upMargin, long upHoldNanos) {
        /** Down after 1.5 s below the bitrate, up after 5 s at 1.3 × the next bitrate. */
        public static final Config DEFAULT = new Config(1.0, 1_500_000_000L, 1.3, 5_000_000_000L);

        public Config {
            if (downMargin <= 0 || upMargin < downMargin || downHoldNanos < 0 || upHoldNanos < 0) {
                throw new IllegalArgumentException("need 0 < down margin ≤ up margin, holds ≥ 0");
            }
        }
    }

    private final long[] ladder;
    private final Config config;
    private int current;
    private int target;
    private long belowSince = Long.MIN_VALUE;
    private long aboveSince = Long.MIN_VALUE;

    /**
     * @param ladderBps the renditions' bitrates, highest first (strictly decreasing)
     * @param start     the rendition the viewer starts with
     */
    public RenditionPolicy(long[] ladderBps, int start, Config config) {
        if (ladderBps.length == 0 || start < 0 || start >= ladderBps.length) {
            throw new IllegalArgumentException("start " + start + " in a ladder of " + ladderBps.length);
        }
        for (int i = 1; i < ladderBps.length; i++) {
            if (ladderBps[i] >= ladderBps[i - 1]) {
                throw new IllegalArgumentException("ladder not decreasing: " + Arrays.toString(ladderBps));
            }
        }
        this.ladder = ladderBps.clone();
        this.config = config;
        this.current = start;
        this.target = start;
    }

    /** A new estimate sample; returns the target rendition (the current one when staying). */
    public int onEstimate(long estimateBps, long nowNanos) {
        boolean below = estimateBps < ladder[current] * config.downMargin();
        boolean above = current > 0 && estimateBps > ladder[current - 1] * config.upMargin();
        belowSince = below ? (belowSince == Long.MIN_VALUE ? nowNanos : belowSince) : Long.MIN_VALUE;
        aboveSince = above ? (aboveSince == Long.MIN_VALUE ? nowNanos : aboveSince) : Long.MIN_VALUE;
        if (below && nowNanos - belowSince >= config.downHoldNanos()) {
            int t = ladder.length - 1;
            for (int i = current + 1; i < ladder.length; i++) {
                if (ladder[i] * config.downMargin() <= estimateBps) {
                    t = i;
                    break;
                }
            }
            target = t;
        } else if (above && nowNanos - aboveSince >= config.upHoldNanos()) {
            target = current - 1;
        } else if (!below && !above) {
            target = current; // back between the margins: cancel a pending switch
        }
        return target;
    }

    /**
     * A keyframe of rendition {@code rendition} is ready to send; true when the viewer switches
     * to it now (it is the pending target), which restarts the hold timers.
     */
    public boolean onKeyframe(int rendition, long nowNanos) {
        if (rendition != target || target == current) {
            return false;
        }
        current = target;
        belowSince = Long.MIN_VALUE;
        aboveSince = Long.MIN_VALUE;
        return true;
    }

    /**
     * The session had to go to {@code rendition} without a decision (the rendition it sent ended):
     * it is current and the target, and the hold timers restart.
     */
    public void fallBack(int rendition) {
        if (rendition < 0 || rendition >= ladder.length) {
            throw new IllegalArgumentException("rendition " + rendition + " of " + ladder.length);
        }
        current = rendition;
        target = rendition;
        belowSince = Long.MIN_VALUE;
        aboveSince = Long.MIN_VALUE;
    }

    /**
     * The top's bitrate as its stream measures it now: a stream's bitrate moves (a scene, a WHIP
     * publisher whose main stream moves between its simulcast layers), and a ladder fixed on one
     * sample can leave the top below the estimate of a viewer it overflows. Kept above the next
     * rendition's bitrate; a pending decision stays as it is.
     */
    public void top(long bps) {
        if (bps > 0) {
            ladder[0] = ladder.length > 1 ? Math.max(bps, ladder[1] + 1) : bps;
        }
    }

    /** The rendition being sent. */
    public int current() {
        return current;
    }

    /** The rendition wanted (equal to {@link #current()} unless a switch waits for a keyframe). */
    public int target() {
        return target;
    }

    public boolean switchPending() {
        return target != current;
    }

    /**
     * The rate the link must carry for the top of the ladder: its bitrate × the up margin, which
     * is what probing looks for (each step up then follows its hold); 0 at the top or while a
     * switch is pending.
     */
    public long probeTopBps() {
        if (current == 0 || target != current) {
            return 0;
        }
        return (long) (ladder[0] * config.upMargin());
    }
}
