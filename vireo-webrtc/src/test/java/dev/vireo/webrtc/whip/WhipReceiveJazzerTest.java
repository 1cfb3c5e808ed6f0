package dev.vireo.webrtc.whip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.core.MediaFrame;
import dev.vireo.media.Codec;
import dev.vireo.media.nal.NalUnits;
import dev.vireo.webrtc.rtcp.NtpTime;
import dev.vireo.webrtc.rtp.JitterBuffer;
import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Coverage-guided fuzzing of a WHIP publisher's receive path after SRTP (issue 17), each through the
 * real class, each against an oracle that can fail beyond "no unexpected exception":
 *
 * <ul>
 *   <li>{@code clock}: {@link MediaClock} (RTP timestamps of a video and an audio track and the
 *       sender reports of either, with jumps of up to ±2^31 units and any number of 32-bit wraps).
 *       Every time is the one an independent 64-bit reading gives (the first packet's arrival or
 *       the report's wallclock on the stream clock, plus the unwrapped RTP time since, in whole
 *       milliseconds, floored), or the track's previous time when that would go back.</li>
 *   <li>{@code simulcastMain}: {@link SimulcastMain} (layer sizes, frames and keyframes, time
 *       passing). The main stream moves only at a keyframe of the layer it moves to, which is then
 *       live and the largest live one, and larger than a live current one; {@code onFrame} says
 *       true exactly for the current layer; {@code wanted} names a layer exactly when a keyframe of
 *       it would move the main stream (and one does at once), and always when the current layer
 *       is stale (or none) while another is live; switches are counted.</li>
 *   <li>{@code track}: a {@link ReceiveTrack} (H.264, AV1 or Opus; NACK on or off) fed RTP as the
 *       session feeds it: raw packets (the seeds: ffmpeg's RTP), or packets built from a
 *       sequence-number step, a time stamp step, marker, SSRC (a new one restarts the track) and
 *       payload bytes; retransmissions; sender reports; time passing with the 20 ms drains; NACK
 *       lists. Nothing escapes; frames come out with time stamps that never go back, media only
 *       after its configuration, H.264 frames well-formed without parameter sets, keyframe exactly
 *       with an IDR, entered no later than they come out, counted as the track counts them, each
 *       owned by the caller alone; the reorder buffer stays within its 1024 packets, holds nothing
 *       once {@link ReceiveTrack#MAX_WAIT_NANOS} passed since the last packet, never counts more
 *       lost than it noticed missing; a NACK names only a missing sequence number inside the
 *       window, at most {@link JitterBuffer#MAX_NACKS} times and not again within the retry
 *       interval; and once the track is closed every packet it was given is released.</li>
 * </ul>
 *
 * <p>Seeds in {@code WhipReceiveJazzerTestInputs/}: ffmpeg's H.264 and Opus RTP (the packets of
 * {@code RtpJazzerTestInputs}), libaom's keyframe in AV1 RTP, an 8-hour OBS publish (no sender reports) in
 * one-hour steps, Chromium's sender reports on both tracks,
 * Chromium's three layers. {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class WhipReceiveJazzerTest {

    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);
    private static final long MS = 1_000_000L;
    private static final int MAX_OPS = 512;

    /** The input, read front to back; past its end every read gives 0. */
    static final class In {
        private final byte[] data;
        private int pos;

        In(byte[] data) {
            this.data = data;
        }

        boolean has(int n) {
            return data.length - pos >= n;
        }

        int u8() {
            return pos < data.length ? data[pos++] & 0xFF : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        int i32() {
            return u16() << 16 | u16();
        }

        long i64() {
            return (long) i32() << 32 | i32() & 0xFFFF_FFFFL;
        }

        byte[] bytes(int n) {
            int len = Math.max(0, Math.min(n, data.length - pos));
            byte[] b = new byte[len];
            System.arraycopy(data, pos, b, 0, len);
            pos += len;
            return b;
        }
    }

    // ---- MediaClock ----

    /**
     * RTP steps stay below 2^31 minus a second or two of units: the clock reads a timestamp relative
     * to its anchor, which is within a second of the latest timestamp.
     */
    private static final int MAX_STEP = Integer.MAX_VALUE - (1 << 18);

    private static int step(int raw) {
        return raw == Integer.MIN_VALUE ? 0 : raw % MAX_STEP;
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void clock(byte[] data) {
        In in = new In(data);
        long origin = in.i64();
        MediaClock clock = new MediaClock(origin);
        int[] rates = {90_000, 48_000};
        MediaClock.Track[] tracks = {clock.track(rates[0]), clock.track(rates[1])};
        // the model: per track, the unwrapped RTP time (64 bits) of the latest timestamp read or
        // reported, and the anchor: an unwrapped RTP time and its stream time
        boolean[] anchored = new boolean[2];
        long[] lastUnits = new long[2];
        long[] anchorUnits = new long[2];
        long[] anchorMillis = new long[2];
        long[] lastMillis = {Long.MIN_VALUE, Long.MIN_VALUE};
        boolean[] reported = new boolean[2];
        long senderOffset = Long.MIN_VALUE;
        long elapsed = 0; // arrival - origin, never negative
        for (int n = 0; n < MAX_OPS && in.has(1); n++) {
            int op = in.u8();
            int t = op >>> 7;
            elapsed += (long) in.u16() * (1 + (op >>> 2 & 0x1F)) * 1000; // up to ~2 s per step
            long arrival = origin + elapsed;
            if ((op & 3) == 3) {
                // a sender report: the wallclock of an RTP time near the track's latest
                long ntp = in.i64();
                int raw = in.i32();
                long units = anchored[t] ? lastUnits[t] + step(raw) : raw & 0xFFFF_FFFFL;
                tracks[t].onSenderReport(ntp, units & 0xFFFF_FFFFL, arrival);
                long senderMillis = NtpTime.toUnixMillis(ntp);
                if (senderOffset == Long.MIN_VALUE) {
                    senderOffset = elapsed / 1_000_000 - senderMillis;
                }
                anchored[t] = true;
                reported[t] = true;
                lastUnits[t] = units;
                anchorUnits[t] = units;
                anchorMillis[t] = senderMillis + senderOffset;
            } else {
                int raw = in.i32();
                long units;
                if (!anchored[t]) {
                    units = raw & 0xFFFF_FFFFL;
                    anchored[t] = true;
                    anchorUnits[t] = units;
                    anchorMillis[t] = elapsed / 1_000_000;
                } else {
                    units = lastUnits[t] + step(raw);
                }
                lastUnits[t] = units;
                long expected = anchorMillis[t] + Math.floorDiv((units - anchorUnits[t]) * 1000, rates[t]);
                long got = tracks[t].millis(units & 0xFFFF_FFFFL, arrival);
                assertThat(got).as("track %d, unwrapped RTP time %d", t, units)
                        .isEqualTo(Math.max(expected, lastMillis[t]));
                lastMillis[t] = got;
            }
            assertThat(tracks[t].fromSenderReports()).isEqualTo(reported[t]);
        }
    }

    // ---- SimulcastMain ----

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void simulcastMain(byte[] data) {
        In in = new In(data);
        int layers = 1 + in.u8() % 3;
        SimulcastMain main = new SimulcastMain(layers);
        long now = in.i32() * 1000L;
        long[] area = new long[layers];
        long[] last = new long[layers];
        java.util.Arrays.fill(last, Long.MIN_VALUE);
        long switches = 0;
        int wanted = -1; // what wanted() said, while nothing changed since
        for (int n = 0; n < MAX_OPS && in.has(1); n++) {
            int op = in.u8();
            int layer = (op >>> 2) % layers;
            switch (op & 3) {
                case 0 -> {
                    int width = (short) in.u16();
                    int height = (short) in.u16();
                    main.size(layer, width, height);
                    area[layer] = (long) Math.max(0, width) * Math.max(0, height);
                    wanted = -1;
                }
                case 1 -> {
                    now += in.u16() * (long) (1 + (op >>> 4)) * 100_000L; // 0.1 ms units, up to 105 s per step
                    wanted = -1;
                }
                default -> {
                    boolean key = (op & 3) == 3;
                    int before = main.current();
                    boolean took = main.onFrame(layer, key, now);
                    last[layer] = now;
                    int current = main.current();
                    assertThat(took).as("true exactly for the current layer's frames").isEqualTo(current == layer);
                    if (current != before) {
                        switches++;
                        assertThat(key).as("the main stream moves at a keyframe").isTrue();
                        assertThat(current).isEqualTo(layer);
                        for (int i = 0; i < layers; i++) {
                            if (live(last, i, now)) {
                                assertThat(area[i]).as("no live layer is larger").isLessThanOrEqualTo(area[layer]);
                            }
                        }
                        assertThat(before < 0 || !live(last, before, now) || area[layer] > area[before])
                                .as("it replaces a stale or smaller layer").isTrue();
                    }
                    if (wanted == layer && key) {
                        assertThat(took).as("a keyframe of the wanted layer moves the main stream").isTrue();
                    }
                    assertThat(main.switches()).isEqualTo(switches);
                }
            }
            int current = main.current();
            long largestLive = -1;
            for (int i = 0; i < layers; i++) {
                assertThat(main.live(i, now)).isEqualTo(live(last, i, now));
                if (live(last, i, now)) {
                    largestLive = Math.max(largestLive, area[i]);
                }
            }
            boolean currentLive = current >= 0 && live(last, current, now);
            boolean better = largestLive >= 0 && (!currentLive || largestLive > area[current]);
            wanted = main.wanted(now);
            if (wanted >= 0) {
                assertThat(wanted).isNotEqualTo(current);
                assertThat(live(last, wanted, now)).isTrue();
                assertThat(area[wanted]).as("the largest live layer").isEqualTo(largestLive);
            }
            assertThat(wanted >= 0).as("a layer is wanted exactly when a better one is live").isEqualTo(better);
        }
    }

    private static boolean live(long[] last, int layer, long now) {
        return last[layer] != Long.MIN_VALUE && now - last[layer] < SimulcastMain.STALE_NANOS;
    }

    // ---- ReceiveTrack ----

    private static final int[] SSRCS = {0x1234_5678, 0x0BAD_CAFE, 0x7FFF_FFFF, 0x8000_0001};

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void track(byte[] data) {
        In in = new In(data);
        int setup = in.u8();
        Codec codec = switch (setup & 3) {
            case 0 -> Codec.H264;
            case 1 -> Codec.AV1;
            default -> Codec.OPUS;
        };
        boolean nack = (setup & 0x80) != 0;
        int clockRate = codec == Codec.OPUS ? 48_000 : 90_000;
        int payloadType = codec == Codec.OPUS ? 111 : 96;
        long origin = 5_000 * MS;
        MediaClock clock = new MediaClock(origin);
        Frames frames = new Frames(codec);
        List<ByteBuf> given = new ArrayList<>();
        Nacks nacks = new Nacks();
        long now = origin;
        long lastPacket = Long.MIN_VALUE;
        int seq = in.u16();
        long ts = in.i32() & 0xFFFF_FFFFL;
        ReceiveTrack track = new ReceiveTrack(codec, payloadType, clockRate, ALLOC, clock.track(clockRate)).nack(nack);
        try {
            for (int n = 0; n < MAX_OPS && in.has(1); n++) {
                int op = in.u8();
                switch (op & 7) {
                    case 0, 1, 2 -> {
                        ByteBuf packet;
                        if ((op & 7) == 0) {
                            byte[] b = in.bytes(in.u16());
                            packet = ALLOC.heapBuffer(b.length).writeBytes(b);
                        } else {
                            seq = seq + (byte) in.u8() & 0xFFFF;
                            ts = ts + in.u8() * 300L & 0xFFFF_FFFFL;
                            packet = ALLOC.heapBuffer();
                            RtpHeader.write(packet, (op & 8) != 0, payloadType, seq, ts, SSRCS[op >>> 4 & 3]);
                            packet.writeBytes(in.bytes((op & 7) == 1 ? in.u8() : in.u16() & 0x1FFF));
                        }
                        RtpHeader header;
                        try {
                            header = RtpHeader.parse(packet);
                        } catch (RtpException refused) {
                            packet.release(); // the session counts it malformed
                            continue;
                        }
                        boolean retransmission = (op & 0x40) != 0;
                        given.add(packet);
                        nacks.onPacket(track, header);
                        track.onPacket(packet, header, now, retransmission);
                        lastPacket = now;
                        track.drain(now, frames.at(now));
                    }
                    case 3 -> {
                        now += (in.u8() + 1) * MS;
                        track.drain(now, frames.at(now));
                    }
                    case 4 -> nacks.check(track, now, (in.u8() + 1) * MS, in.u8() % 70);
                    case 5 -> {
                        long ntp = in.i64();
                        long rtp = in.i32() & 0xFFFF_FFFFL;
                        if (track.statistics() != null) {
                            track.statistics().onSenderReport(ntp, now);
                        }
                        track.clock().onSenderReport(ntp, rtp, now);
                    }
                    case 6 -> {
                        now += (in.u16() + 1) * MS;
                        track.drain(now, frames.at(now));
                    }
                    default -> {
                        track.drain(now, frames.at(now));
                        track.keyframeNeeded();
                    }
                }
                JitterBuffer buffer = track.buffer();
                assertThat(buffer.size()).isLessThanOrEqualTo(1024);
                assertThat(buffer.lost()).as("lost only what was noticed missing").isLessThanOrEqualTo(buffer.gapsNoticed());
                if ((op & 7) >= 3 && (op & 7) != 4 && (op & 7) != 5 && lastPacket != Long.MIN_VALUE
                        && now - lastPacket >= ReceiveTrack.MAX_WAIT_NANOS) {
                    assertThat(buffer.size()).as("nothing held %d ms after the last packet", (now - lastPacket) / MS)
                            .isZero();
                }
                assertThat(track.frames()).as("frames counted").isEqualTo(frames.media);
                assertThat(track.keyframes()).as("keyframes counted").isEqualTo(frames.keyframes);
            }
            now += 10_000 * MS;
            track.drain(now, frames.at(now));
            assertThat(track.buffer().size()).isZero();
        } finally {
            track.close();
        }
        for (ByteBuf p : given) {
            assertThat(p.refCnt()).as("every packet given to the track is released once it is closed").isZero();
        }
    }

    /** What a track's frames must be, checked as they come out (then released). */
    private static final class Frames {
        private final Codec codec;
        private long lastDts = Long.MIN_VALUE;
        private boolean configured;
        private long now;
        long media;
        long keyframes;

        Frames(Codec codec) {
            this.codec = codec;
        }

        java.util.function.Consumer<MediaFrame> at(long nowNanos) {
            now = nowNanos;
            return this::accept;
        }

        private void accept(MediaFrame f) {
            try {
                assertThat(f.refCnt()).as("a frame is the caller's alone").isEqualTo(1);
                assertThat(f.codec()).isEqualTo(codec);
                assertThat(f.dts()).as("time stamps never go back").isGreaterThanOrEqualTo(lastDts);
                lastDts = f.dts();
                assertThat(f.payload().isReadable()).isTrue();
                if (f.isConfig()) {
                    configured = true;
                    return;
                }
                assertThat(configured).as("media only after its configuration").isTrue();
                assertThat(f.ingestNanos()).as("entered before it comes out").isLessThanOrEqualTo(now);
                media++;
                if (f.isKeyframe()) {
                    keyframes++;
                }
                if (codec == Codec.H264) {
                    boolean idr = false;
                    for (ByteBuf nal : NalUnits.split(f.payload().duplicate())) {
                        assertThat(nal.isReadable()).isTrue();
                        int type = nal.getUnsignedByte(nal.readerIndex()) & 0x1F;
                        assertThat(type).as("parameter sets and delimiters are taken out")
                                .isNotIn(NalUnits.H264_SPS, NalUnits.H264_PPS, NalUnits.H264_AUD);
                        idr |= type == NalUnits.H264_IDR;
                    }
                    assertThat(f.isKeyframe()).as("a keyframe holds an IDR slice").isEqualTo(idr);
                } else if (codec == Codec.OPUS) {
                    assertThat(f.isKeyframe()).isFalse();
                }
            } finally {
                assertThat(f.release()).as("the frame is the caller's alone").isTrue();
            }
        }
    }

    /**
     * The NACK model of one SSRC: the extended sequence numbers received (RFC 3550 §A.1, relative to
     * the highest), and how often and when each was asked for.
     */
    private static final class Nacks {
        private boolean known;
        private int ssrc;
        private long highest = -1;
        private final Set<Long> received = new HashSet<>();
        private final Map<Long, Integer> asked = new HashMap<>();
        private final Map<Long, Long> askedAt = new HashMap<>();
        private long askedTotal;

        void onPacket(ReceiveTrack track, RtpHeader header) {
            if (!known || header.ssrc() != ssrc) {
                known = true;
                ssrc = header.ssrc();
                highest = -1;
                received.clear();
                asked.clear();
                askedAt.clear();
                askedTotal = 0;
            }
            int s = header.sequenceNumber();
            long ext = highest < 0 ? s : highest + (short) (s - (int) highest);
            received.add(ext);
            highest = Math.max(highest, ext);
        }

        void check(ReceiveTrack track, long now, long retry, int max) {
            JitterBuffer buffer = track.buffer();
            int[] out = buffer.nacks(now, retry, max);
            assertThat(out.length).isLessThanOrEqualTo(Math.min(max, 64));
            long next = buffer.nextSequence();
            Set<Long> once = new HashSet<>();
            for (int s : out) {
                long ext = -1;
                for (long e = Math.max(next, 0); e < highest; e++) {
                    if ((e & 0xFFFF) == s) {
                        ext = e;
                        break;
                    }
                }
                assertThat(ext).as("NACK %d is inside the window [%d, %d)", s, next, highest).isNotNegative();
                assertThat(once.add(ext)).as("once per list").isTrue();
                assertThat(received).as("NACK %d names a packet that arrived", s).doesNotContain(ext);
                int times = asked.getOrDefault(ext, 0);
                assertThat(times).as("at most %d NACKs per packet", JitterBuffer.MAX_NACKS)
                        .isLessThan(JitterBuffer.MAX_NACKS);
                Long at = askedAt.get(ext);
                assertThat(at == null || now - at >= retry).as("not again within the retry interval").isTrue();
                asked.put(ext, times + 1);
                askedAt.put(ext, now);
                askedTotal++;
            }
            assertThat(buffer.recovered()).as("recovered only what was asked for").isLessThanOrEqualTo(askedTotal);
        }
    }
}
