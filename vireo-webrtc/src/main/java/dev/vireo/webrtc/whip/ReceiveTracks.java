package dev.vireo.webrtc.whip;

import dev.vireo.media.Codec;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtp.RtpException;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.rtp.RtxPacket;
import dev.vireo.webrtc.sdp.Answer;
import dev.vireo.webrtc.sdp.NegotiatedMedia;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * What a publisher's answer agreed to receive: one video {@link ReceiveTrack} — or one per simulcast
 * layer (RFC 8853), told apart by {@link SimulcastDemux} — and at most one audio track, each on the
 * stream clock ({@link MediaClock}), and the feedback negotiated for them (NACK on the video, the
 * transport-cc extension id, REMB). Routes RTP to its track by payload type (and layer) and RTCP by
 * SSRC, and unwraps the video's retransmissions when RTX was negotiated (RFC 4588: a payload type of
 * its own, {@code apt} = the video's, on the sender's RTX SSRC). Not thread-safe (the session's loop).
 */
final class ReceiveTracks implements AutoCloseable {

    private final ReceiveTrack video;
    /** The video tracks: {@link #video} alone, or one per simulcast layer in the offer's order. */
    private final List<ReceiveTrack> videos;
    private final SimulcastDemux layers;
    private final ReceiveTrack audio;
    private final List<ReceiveTrack> all;
    private final boolean videoNack;
    private final int transportCcId;
    private final boolean remb;
    private final int videoRtxPayloadType;
    private final ByteBufAllocator alloc;
    private long rtxReceived;
    private long rtxPadding;

    ReceiveTracks(Answer answer, ByteBufAllocator alloc, MediaClock clock) {
        this(answer, null, alloc, clock);
    }

    /** @param simulcast the layers the answer accepted on the video, or null */
    ReceiveTracks(Answer answer, SimulcastDemux simulcast, ByteBufAllocator alloc, MediaClock clock) {
        NegotiatedMedia v = answer.video().orElse(null);
        NegotiatedMedia a = answer.audio().orElse(null);
        int twcc = 0;
        boolean goog = false;
        List<ReceiveTrack> vs = new ArrayList<>();
        if (v != null) {
            Codec codec = v.codec().is("AV1") ? Codec.AV1 : Codec.H264;
            for (int i = 0; i < (simulcast == null ? 1 : simulcast.layers()); i++) {
                vs.add(new ReceiveTrack(codec, v.payloadType(), v.clockRate(), alloc, clock.track(v.clockRate()))
                        .nack(v.nack()));
            }
            video = vs.getFirst();
            twcc = v.transportCcId();
            goog = v.remb();
        } else {
            video = null;
        }
        videos = List.copyOf(vs);
        layers = v == null ? null : simulcast;
        if (a != null) {
            audio = new ReceiveTrack(Codec.OPUS, a.payloadType(), a.clockRate(), alloc, clock.track(a.clockRate()));
            if (twcc == 0) {
                twcc = a.transportCcId();
            }
            goog |= a.remb();
        } else {
            audio = null;
        }
        videoNack = v != null && v.nack();
        videoRtxPayloadType = v != null && v.hasRtx() ? v.rtxPayloadType() : -1;
        this.alloc = alloc;
        transportCcId = twcc;
        remb = goog;
        List<ReceiveTrack> list = new ArrayList<>(videos);
        if (audio != null) {
            list.add(audio);
        }
        all = List.copyOf(list);
    }

    /** The video track (the first simulcast layer's), or null. */
    ReceiveTrack video() {
        return video;
    }

    /** Every video track: one, or one per simulcast layer. */
    List<ReceiveTrack> videos() {
        return videos;
    }

    /** The simulcast demultiplexer, or null without simulcast. */
    SimulcastDemux layers() {
        return layers;
    }

    /** Whether {@code track} is one of the video tracks. */
    boolean isVideo(ReceiveTrack track) {
        return track != null && track.isVideo();
    }

    /** The audio track, or null. */
    ReceiveTrack audio() {
        return audio;
    }

    List<ReceiveTrack> all() {
        return all;
    }

    /** Whether the publisher answers NACKs for its video. */
    boolean videoNack() {
        return videoNack;
    }

    /** The transport-wide-cc extension id, 0 when not negotiated. */
    int transportCcId() {
        return transportCcId;
    }

    /** Whether REMB (goog-remb) was negotiated for any stream. */
    boolean remb() {
        return remb;
    }

    /** The (first) video track once its SSRC is known, else null. */
    ReceiveTrack liveVideo() {
        for (ReceiveTrack v : videos) {
            if (v.ssrcKnown()) {
                return v;
            }
        }
        return null;
    }

    /**
     * The track an RTP packet belongs to by payload type (and simulcast layer), or null: a payload
     * type not answered, or a layer not told yet.
     */
    ReceiveTrack route(ByteBuf packet, RtpHeader header) {
        if (video != null && header.payloadType() == video.payloadType()) {
            if (layers == null) {
                return video;
            }
            int layer = layers.layerOf(packet, header);
            return layer < 0 ? null : videos.get(layer);
        }
        if (audio != null && header.payloadType() == audio.payloadType()) {
            return audio;
        }
        return null;
    }

    /** Whether {@code header} is a retransmission of the video (its RTX payload type). */
    boolean isVideoRtx(RtpHeader header) {
        return videoRtxPayloadType >= 0 && header.payloadType() == videoRtxPayloadType;
    }

    /**
     * RFC 4588 §4: the original video packet an RTX packet carries (original payload type, SSRC and
     * sequence number), or null when there is none to restore: padding only (what senders probe
     * bandwidth with), or no video packet received yet (its SSRC is unknown). The caller owns the
     * returned packet.
     */
    ByteBuf unwrapRtx(ByteBuf rtx, RtpHeader header) {
        return unwrapRtx(rtx, header, video);
    }

    /**
     * The video track a retransmission repairs: the video, or the simulcast layer its SSRC (bound
     * by the RepairedRtpStreamId, RFC 8852 §3.2) belongs to; null when unknown.
     */
    ReceiveTrack rtxTarget(ByteBuf rtx, RtpHeader header) {
        if (layers == null) {
            return video;
        }
        int layer = layers.layerOfRetransmission(rtx, header);
        return layer < 0 ? null : videos.get(layer);
    }

    /** As {@link #unwrapRtx(ByteBuf, RtpHeader)}, into {@code target} (a video track, or null). */
    ByteBuf unwrapRtx(ByteBuf rtx, RtpHeader header, ReceiveTrack target) {
        if (header.payloadLength() < 2) {
            rtxPadding++;
            return null;
        }
        if (target == null || !target.ssrcKnown()) {
            return null;
        }
        ByteBuf original = alloc.heapBuffer(rtx.readableBytes());
        try {
            RtxPacket.restore(original, rtx, target.payloadType(), target.ssrc());
        } catch (RtpException e) {
            original.release();
            return null;
        }
        rtxReceived++;
        return original;
    }

    /** RTX packets that carried a retransmission. */
    long rtxReceived() {
        return rtxReceived;
    }

    /** RTX packets that carried padding only (bandwidth probes). */
    long rtxPadding() {
        return rtxPadding;
    }

    /** The track whose sender SSRC is {@code ssrc}, or null. */
    ReceiveTrack bySsrc(int ssrc) {
        for (ReceiveTrack t : all) {
            if (t.ssrcKnown() && t.ssrc() == ssrc) {
                return t;
            }
        }
        return null;
    }

    /**
     * RFC 3550 §6.4.1: a sender report anchors its track's clock and its receiver reports' LSR.
     *
     * @return whether it was one of ours
     */
    boolean onSenderReport(SenderReport sr, long nowNanos) {
        ReceiveTrack t = bySsrc(sr.ssrc());
        if (t == null) {
            return false;
        }
        t.statistics().onSenderReport(sr.ntpTimestamp(), nowNanos);
        t.clock().onSenderReport(sr.ntpTimestamp(), sr.rtpTimestamp(), nowNanos);
        return true;
    }

    /** The sender SSRCs known so far. */
    int[] ssrcs() {
        return all.stream().filter(ReceiveTrack::ssrcKnown).mapToInt(ReceiveTrack::ssrc).toArray();
    }

    /** The stream feedback is reported about: the video once known, else the audio, else null. */
    ReceiveTrack primary() {
        ReceiveTrack v = liveVideo();
        if (v != null) {
            return v;
        }
        return audio != null && audio.ssrcKnown() ? audio : null;
    }

    /** Packets given up on, over every track. */
    long lost() {
        return all.stream().mapToLong(t -> t.buffer().lost()).sum();
    }

    /** NACKed packets that arrived in time, over every track. */
    long recovered() {
        return all.stream().mapToLong(t -> t.buffer().recovered()).sum();
    }

    @Override
    public void close() {
        all.forEach(ReceiveTrack::close);
    }
}
