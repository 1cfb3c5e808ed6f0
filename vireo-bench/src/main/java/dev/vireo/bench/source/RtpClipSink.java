package dev.vireo.bench.source;

import dev.vireo.bench.FreePort;
import dev.vireo.bench.peers.JanusProcess;
import dev.vireo.media.Codec;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.media.flv.FlvAudioPacket;
import dev.vireo.media.flv.FlvPacketKind;
import dev.vireo.media.flv.FlvTag;
import dev.vireo.media.flv.FlvVideoPacket;
import dev.vireo.webrtc.rtp.H264Packetizer;
import dev.vireo.webrtc.rtp.OpusPacketizer;
import dev.vireo.webrtc.rtp.PacketizedFrame;
import dev.vireo.webrtc.rtp.RtpHeaderWriter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The clip as plain RTP, the way a local encoder feeds a media server's RTP input (a Janus
 * Streaming mountpoint): H.264 with the same packetizer as Vireo's WebRTC egress
 * ({@link H264Packetizer}, RFC 6184 packetization-mode=1, 1200-byte payloads, SPS and PPS in
 * front of every IDR access unit) and Opus one packet per RTP packet ({@link OpusPacketizer},
 * RFC 7587). So a Janus viewer receives the packets Vireo would have built, the wallclock SEI
 * included, and the two servers' per-viewer work is on equal packets.
 *
 * <p>RTP timestamps follow the clip's output timestamps (90 kHz video from the presentation
 * time, 48 kHz audio), increasing across loops; sequence numbers and SSRCs are random at start
 * (RFC 3550 §5.1). No RTCP is sent: the Streaming plugin needs none from its source.
 */
final class RtpClipSink implements ClipPublisher.Sink {

    private static final int VIDEO_CLOCK_PER_MS = 90;
    private static final int AUDIO_CLOCK_PER_MS = OpusPacketizer.CLOCK_RATE / 1000;

    private final Channel channel;
    private final JanusProcess.RtpIngest ingest;
    private final H264Packetizer packetizer = new H264Packetizer();
    private final RtpHeaderWriter header = new RtpHeaderWriter(0, 0);
    private final Track video;
    private final Track audio;

    /** Per-stream RTP state (loop-confined). */
    private static final class Track {
        final int ssrc;
        int sequence;

        Track(SecureRandom random) {
            this.ssrc = random.nextInt();
            this.sequence = random.nextInt(0x10000);
        }
    }

    RtpClipSink(Channel channel, JanusProcess.RtpIngest ingest) {
        this.channel = channel;
        this.ingest = ingest;
        SecureRandom random = new SecureRandom();
        this.video = new Track(random);
        this.audio = new Track(random);
    }

    /** Binds the sending socket on 127.0.0.1 on {@code group}'s loop. */
    static RtpClipSink open(EventLoopGroup group, JanusProcess.RtpIngest ingest, SourceClip clip) throws Exception {
        if (clip.nalLengthSize() != 4) {
            // H264Packetizer reads 4-byte NAL lengths (the MediaFrame layout); ffmpeg writes 4
            throw new IllegalArgumentException("clip has " + clip.nalLengthSize() + "-byte NAL lengths; the RTP feed needs 4");
        }
        ChannelFuture bound = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()) // nothing comes back on this socket
                .bind(FreePort.LOOPBACK, 0);
        if (!bound.await(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            throw new IllegalStateException("cannot bind the RTP feed's socket: " + bound.cause());
        }
        return new RtpClipSink(bound.channel(), ingest);
    }

    @Override
    public void header(SourceClip.Tag tag) {
        if (tag.type() != FlvTag.VIDEO) {
            return; // metadata; the Opus head (RTP carries no Opus configuration, RFC 7587 §4)
        }
        FlvVideoPacket p = FlvVideoPacket.parse(Unpooled.wrappedBuffer(tag.body()));
        if (p.codec() == Codec.H264 && p.kind() == FlvPacketKind.CONFIG) {
            packetizer.setDecoderConfiguration(AvcDecoderConfigurationRecord.parse(p.payload()));
        }
    }

    @Override
    public void media(SourceClip.Tag tag, long timestampMs, ByteBuf body) {
        try {
            if (tag.type() == FlvTag.VIDEO) {
                FlvVideoPacket p = FlvVideoPacket.parse(body);
                if (p.kind() != FlvPacketKind.CODED) {
                    return;
                }
                long pts = timestampMs + p.compositionTime();
                PacketizedFrame f = packetizer.packetize(channel.alloc(), p.payload(), pts * VIDEO_CLOCK_PER_MS);
                send(f, video, ingest.videoPt(), ingest.video());
            } else if (tag.type() == FlvTag.AUDIO) {
                FlvAudioPacket p = FlvAudioPacket.parse(body);
                if (p.codec() != Codec.OPUS || p.kind() != FlvPacketKind.CODED) {
                    return; // RTP mountpoints of the bench carry Opus only (the clip is published with --audio opus)
                }
                PacketizedFrame f = OpusPacketizer.packetize(p.payload(), timestampMs * AUDIO_CLOCK_PER_MS,
                        H264Packetizer.DEFAULT_MAX_PAYLOAD);
                send(f, audio, ingest.audioPt(), ingest.audio());
            }
        } finally {
            body.release();
        }
    }

    private void send(PacketizedFrame f, Track track, int payloadType, InetSocketAddress to) {
        try {
            ByteBufAllocator alloc = channel.alloc();
            for (int i = 0; i < f.count(); i++) {
                ByteBuf packet = alloc.buffer(header.headerLength() + f.length(i));
                header.write(packet, f.marker(i), payloadType, track.sequence, f.timestamp(), track.ssrc, 0, 0);
                track.sequence = (track.sequence + 1) & 0xFFFF;
                f.writePayload(i, packet);
                channel.write(new DatagramPacket(packet, to), channel.voidPromise());
            }
            channel.flush();
        } finally {
            f.release();
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close();
    }
}
