package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.HubException;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of what an RTMP connection does with its messages once they are out of
 * the chunk stream (issue 17): {@link ServerSession} with its commands ({@code connect} and
 * {@link ConnectParams}, {@code publish}, {@code play}, ...), User Control events and, once
 * publishing, {@link PublishSession} (FLV audio/video bodies, Enhanced RTMP, codec configurations
 * into the hub, {@code @setDataFrame} in AMF0 and AMF3); and the C1 of the handshake
 * ({@link Handshake#serverReply}). A session may close the connection with a reason (its
 * documented refusal), never with an internal error. Input: messages as
 * {@code type, length (2 bytes), payload}; an odd first byte connects and publishes first.
 * Seeds in {@code RtmpSessionJazzerTestInputs/} (ffmpeg's connect, metadata and the first tags of
 * an ffmpeg H.264/AAC FLV); {@code JAZZER_FUZZ=1} fuzzes (docs/RELIABILITY.md).
 */
class RtmpSessionJazzerTest {

    private static final Logger VIREO = (Logger) LoggerFactory.getLogger("dev.vireo");
    /** No leak tracking: the tests' paranoid level records a stack trace per buffer write. */
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);
    private static Level level;

    @BeforeAll
    static void quiet() {
        // a connect/publish/close line per input would be most of the work (the refusal's warning
        // too: the oracle is the close reason, not the log)
        level = VIREO.getLevel();
        VIREO.setLevel(Level.ERROR);
    }

    @AfterAll
    static void restore() {
        VIREO.setLevel(level);
    }

    @Test
    void theSeedsAreAcceptedAsTheyAre() throws Exception {
        for (String seed : List.of("ffmpeg-connect-publish", "published-h264-aac")) {
            assertThat(run(read("session/" + seed))).as(seed).isNull();
        }
        // nothing publishes in a fresh hub: the player's refusal
        assertThat(run(read("session/ffmpeg-play"))).startsWith("NetStream.Play.StreamNotFound");
        assertThat(Handshake.serverReply(read("handshake/digest-c1"), 0, RandomGenerator.of("L64X128MixRandom")).digest())
                .as("the digest C1 is signed as Flash Player signs it").isTrue();
    }

    private byte[] read(String seed) throws Exception {
        try (var in = getClass().getResourceAsStream("RtmpSessionJazzerTestInputs/" + seed)) {
            return in.readAllBytes();
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void session(byte[] data) {
        String reason = run(data);
        assertThat(reason == null || !reason.startsWith("internal error")).as("close reason %s", reason).isTrue();
    }

    /** Plays {@code data} into a server session; its close reason, or null while it is open. */
    private static String run(byte[] data) {
        StreamHub hub = new StreamHub(HubConfig.defaults(), GlobalEventExecutor.INSTANCE);
        SessionLog log = new SessionLog("fuzz-1", "peer");
        EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoderHandler(),
                new ServerSession(RtmpConfig.defaults(), hub, Gate.allowAll(), log));
        ch.config().setAllocator(ALLOC);
        try {
            if (data.length > 0 && (data[0] & 1) == 1) {
                connect(ch);
                ch.writeInbound(CommandMessage.of("publish", 3, null, "fuzz", "live").encode(ch.alloc(), 1));
            }
            int pos = 1;
            long timestamp = 0;
            while (pos + 3 <= data.length && ch.isOpen()) {
                int type = data[pos] & 0xFF;
                int length = Math.min(((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF), data.length - pos - 3);
                pos += 3;
                ch.writeInbound(message(type, timestamp, data, pos, length));
                pos += length;
                timestamp += 20;
                ch.runPendingTasks();
            }
            return log.closeReason();
        } finally {
            ch.finishAndReleaseAll();
            hub.close();
        }
    }

    @Test
    void theViewerSeedsPlayWhatIsPublished() throws Exception {
        // the seeds publish ffmpeg's configurations and a GOP first, so play starts with the cache's burst
        Viewer v = watch(read("play/ffmpeg-play-h264-aac"));
        assertThat(v.closeReason).isNull();
        assertThat(v.types).as("the viewer got the stream's configs and frames")
                .contains(MessageType.VIDEO, MessageType.AUDIO);
        v = watch(read("play/receive-video-false-pause-seek"));
        assertThat(v.closeReason).isNull();
        assertThat(v.types).contains(MessageType.VIDEO, MessageType.AUDIO);
        v = watch(read("play/play-twice"));
        assertThat(v.closeReason).startsWith("NetStream.Play.Failed");
    }

    /**
     * The viewer's side: a hub with a live stream (ffmpeg's H.264/AAC configurations and frames,
     * published by the input too), a session that plays it and is then sent the fuzzed messages
     * ({@code receiveAudio}/{@code receiveVideo}, {@code pause}, {@code seek}, a second
     * {@code play}, {@code closeStream}, ...). Besides the close reason: what the session wrote is
     * a well-formed chunk stream a player decodes to its end, and every frame the publisher sent is
     * released once the session and the hub are closed (GOP cache, shared chunk encodings, gathered
     * writes).
     *
     * <p>Input: an odd byte 0 connects first and plays {@code live/fuzz} once the publisher's
     * first frame made it live; then records {@code type, length (2), payload}: a type below 0xF0 is an RTMP message as in {@link #session}; 0xF0-0xF7 is the
     * publisher: 0 H.264 configuration, 1 keyframe, 2 inter frame, 3 AAC configuration, 4 AAC frame,
     * 5 script data, 6 the publisher leaves (and comes back with the next frame), 7 a time stamp jump
     * of the payload's first 4 bytes in ms.
     */
    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void play(byte[] data) {
        Viewer v = watch(data);
        assertThat(v.closeReason == null || !v.closeReason.startsWith("internal error"))
                .as("close reason %s", v.closeReason).isTrue();
    }

    /** What a viewer session did: its close reason (null while open) and the types of what it sent. */
    record Viewer(String closeReason, List<Integer> types) {
    }

    private static Viewer watch(byte[] data) {
        SessionLog log = new SessionLog("fuzz-1", "peer");
        StreamHub[] hubs = new StreamHub[1];
        // the hub's timer is the channel's loop (a grace period never fires on another thread)
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.config().setAllocator(ALLOC);
                hubs[0] = new StreamHub(HubConfig.defaults(), c.eventLoop());
                c.pipeline().addLast(new ChunkEncoderHandler(),
                        new ServerSession(RtmpConfig.defaults(), hubs[0], Gate.allowAll(), log));
            }
        });
        StreamHub hub = hubs[0];
        List<MediaFrame> sent = new ArrayList<>();
        Publisher pub = new Publisher(hub, sent);
        List<Integer> types = new ArrayList<>();
        ByteBuf written = ALLOC.heapBuffer();
        try {
            boolean autoPlay = data.length > 0 && (data[0] & 1) == 1;
            if (autoPlay) {
                connect(ch);
            }
            int pos = 1;
            long timestamp = 0;
            while (pos + 3 <= data.length && ch.isOpen()) {
                int type = data[pos] & 0xFF;
                int length = Math.min(((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF), data.length - pos - 3);
                pos += 3;
                if (type >= 0xF0) {
                    pub.send(type & 7, Unpooled.wrappedBuffer(data, pos, length));
                    if (autoPlay && pub.publication != null) {
                        autoPlay = false; // once the stream is live
                        ch.writeInbound(CommandMessage.of("play", 3, null, "fuzz").encode(ch.alloc(), 1));
                    }
                } else {
                    ch.writeInbound(message(type, timestamp, data, pos, length));
                }
                pos += length;
                timestamp += 20;
                ch.runPendingTasks();
                drain(ch, written);
            }
            return new Viewer(log.closeReason(), types);
        } finally {
            pub.close();
            ch.runPendingTasks();
            drain(ch, written);
            ch.finishAndReleaseAll();
            hub.close();
            ch.runPendingTasks();
            ch.runScheduledPendingTasks();
            drain(ch, written);
            ch.releaseOutbound();
            // a player reads all of it: whole messages in well-formed chunks
            ChunkDecoder player = new ChunkDecoder(ALLOC, new ChunkDecoder.Limits(1 << 24, 1 << 24, 64));
            List<RtmpMessage> got = new ArrayList<>();
            try {
                player.decode(written, got);
                assertThat(written.readableBytes()).as("the session writes whole chunks").isZero();
                got.forEach(m -> types.add(m.typeId()));
            } finally {
                got.forEach(RtmpMessage::release);
                player.release();
                written.release();
            }
            for (MediaFrame f : sent) {
                assertThat(f.refCnt()).as("%s released", f).isZero();
            }
        }
    }

    /** The client's {@code connect} and {@code createStream}, as a player or an encoder starts. */
    private static void connect(EmbeddedChannel ch) {
        ch.writeInbound(CommandMessage.of("connect", 1,
                Map.of("app", "live", "tcUrl", "rtmp://localhost/live")).encode(ch.alloc(), 0));
        ch.writeInbound(CommandMessage.of("createStream", 2, null).encode(ch.alloc(), 0));
    }

    /** One fuzzed message of {@code type}: commands on chunk stream 3, protocol control on message stream 0. */
    private static RtmpMessage message(int type, long timestamp, byte[] data, int pos, int length) {
        int csid = type == MessageType.COMMAND_AMF0 || type == MessageType.COMMAND_AMF3 ? 3 : 4;
        int msid = type <= MessageType.SET_PEER_BANDWIDTH ? 0 : 1;
        return new RtmpMessage(csid, type, timestamp, msid, ALLOC.heapBuffer(length).writeBytes(data, pos, length));
    }

    private static void drain(EmbeddedChannel ch, ByteBuf into) {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            into.writeBytes(b);
            b.release();
        }
    }

    /** The stream's publisher, on the hub directly: what a publishing session gives it. */
    private static final class Publisher {
        private final StreamHub hub;
        private final List<MediaFrame> sent;
        private Publication publication;
        private long dts;

        Publisher(StreamHub hub, List<MediaFrame> sent) {
            this.hub = hub;
            this.sent = sent;
        }

        void send(int kind, ByteBuf bytes) {
            if (kind == 6) {
                close();
                return;
            }
            if (kind == 7) {
                dts += bytes.readableBytes() >= 4 ? bytes.getUnsignedInt(0) : 1000;
                return;
            }
            if (publication == null) {
                try {
                    publication = hub.publish(StreamKey.of("live", "fuzz"), "fuzz-publisher", reason -> { });
                } catch (HubException refused) {
                    return;
                }
            }
            ByteBuf payload = ALLOC.heapBuffer(bytes.readableBytes()).writeBytes(bytes);
            MediaFrame f = switch (kind) {
                case 0 -> MediaFrame.config(Codec.H264, dts, payload);
                case 1, 2 -> MediaFrame.media(Codec.H264, dts, 0, kind == 1, payload);
                case 3 -> MediaFrame.config(Codec.AAC, dts, payload);
                case 4 -> MediaFrame.media(Codec.AAC, dts, 0, false, payload);
                default -> MediaFrame.data(dts, payload);
            };
            sent.add(f);
            dts += 20;
            publication.send(f);
        }

        void close() {
            if (publication != null) {
                publication.close();
                publication = null;
            }
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void handshake(byte[] data) {
        byte[] c1 = new byte[Handshake.PACKET_SIZE];
        System.arraycopy(data, 0, c1, 0, Math.min(data.length, c1.length));
        Handshake.ServerReply reply = Handshake.serverReply(c1, 0, RandomGenerator.of("L64X128MixRandom"));
        assertThat(reply.s1()).hasSize(Handshake.PACKET_SIZE);
        assertThat(reply.s2()).hasSize(Handshake.PACKET_SIZE);
    }
}
