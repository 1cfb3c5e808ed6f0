package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.StreamHub;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
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
                ch.writeInbound(CommandMessage.of("connect", 1,
                        Map.of("app", "live", "tcUrl", "rtmp://localhost/live")).encode(ch.alloc(), 0));
                ch.writeInbound(CommandMessage.of("createStream", 2, null).encode(ch.alloc(), 0));
                ch.writeInbound(CommandMessage.of("publish", 3, null, "fuzz", "live").encode(ch.alloc(), 1));
            }
            int pos = 1;
            long timestamp = 0;
            while (pos + 3 <= data.length && ch.isOpen()) {
                int type = data[pos] & 0xFF;
                int length = Math.min(((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF), data.length - pos - 3);
                pos += 3;
                int csid = type == MessageType.COMMAND_AMF0 || type == MessageType.COMMAND_AMF3 ? 3 : 4;
                int msid = type <= MessageType.SET_PEER_BANDWIDTH ? 0 : 1;
                ch.writeInbound(new RtmpMessage(csid, type, timestamp, msid, ALLOC.heapBuffer(length).writeBytes(data, pos, length)));
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

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void handshake(byte[] data) {
        byte[] c1 = new byte[Handshake.PACKET_SIZE];
        System.arraycopy(data, 0, c1, 0, Math.min(data.length, c1.length));
        Handshake.ServerReply reply = Handshake.serverReply(c1, 0, RandomGenerator.of("L64X128MixRandom"));
        assertThat(reply.s1()).hasSize(Handshake.PACKET_SIZE);
        assertThat(reply.s2()).hasSize(Handshake.PACKET_SIZE);
    }
}
