package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.StreamHub;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Protocol control and NetConnection replies, on bytes, with no socket. */
class ServerSessionTest {

    private final StreamHub hub = new StreamHub(HubConfig.defaults(), GlobalEventExecutor.INSTANCE);
    private final SessionLog log = new SessionLog("test-1", "peer");
    private final EmbeddedChannel ch = new EmbeddedChannel(new ChunkEncoderHandler(),
            new ChunkDecoderHandler(new ChunkDecoder.Limits(16 << 20, 1 << 20, 64)),
            new ServerSession(RtmpConfig.defaults(), hub, Gate.allowAll(), log));
    /** Decodes what the server sends, following its Set Chunk Size. */
    private final ChunkDecoder replies = new ChunkDecoder(UnpooledByteBufAllocator.DEFAULT,
            new ChunkDecoder.Limits(16 << 20, 1 << 20, 64));
    private final ByteBuf pending = Unpooled.buffer();
    private final List<RtmpMessage> received = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        received.forEach(RtmpMessage::release);
        pending.release();
        replies.release();
        ch.finishAndReleaseAll();
        hub.close();
    }

    @Test
    void connectIsAnsweredWithControlMessagesAndResult() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("app", "live");
        props.put("tcUrl", "rtmp://example.com/live");
        props.put("objectEncoding", 0.0);
        props.put("fourCcList", List.of("hvc1", "vp09", "av01"));
        send(CommandMessage.of("connect", 1, props), 0);

        List<RtmpMessage> out = drain();
        assertThat(out).extracting(RtmpMessage::typeId).containsExactly(MessageType.WINDOW_ACK_SIZE,
                MessageType.SET_PEER_BANDWIDTH, MessageType.COMMAND_AMF0);
        assertThat(out.get(0).payload().getInt(0)).isEqualTo(2_500_000);
        assertThat(out.get(1).payload().getByte(4)).isEqualTo((byte) ProtocolControl.LIMIT_DYNAMIC);
        assertThat(replies.chunkSize()).as("Set Chunk Size was sent").isEqualTo(4096);
        CommandMessage result = CommandMessage.decode(out.get(2));
        assertThat(result.name()).isEqualTo("_result");
        assertThat(result.transactionId()).isEqualTo(1.0);
        assertThat(result.properties()).containsEntry("fmsVer", "FMS/3,5,7,7009").containsEntry("capabilities", 31.0)
                .containsEntry("fourCcList", List.of("hvc1", "av01"));
        assertThat(NetStatus.from(result.argument(0)))
                .isEqualTo(NetStatus.status("NetConnection.Connect.Success", "Connection succeeded."));
    }

    @Test
    void createStreamReleaseStreamAndUnknownCalls() {
        connect();
        send(CommandMessage.of("releaseStream", 2, null, "cam"), 0);
        send(CommandMessage.of("createStream", 3, null), 0);
        send(CommandMessage.of("noSuchMethod", 4, null), 0);
        List<CommandMessage> out = drain().stream().map(CommandMessage::decode).toList();
        assertThat(out).extracting(CommandMessage::name, CommandMessage::transactionId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("_result", 2.0),
                org.assertj.core.groups.Tuple.tuple("_result", 3.0),
                org.assertj.core.groups.Tuple.tuple("_error", 4.0));
        assertThat(out.get(1).argument(0)).isEqualTo(1.0);
        assertThat(NetStatus.from(out.get(2).argument(0)).code()).isEqualTo("NetConnection.Call.Failed");
    }

    @Test
    void amf3CommandMessageIsUnderstood() {
        RtmpMessage amf0 = CommandMessage.of("connect", 1, Map.of("app", "live", "objectEncoding", 3.0))
                .encode(ch.alloc(), 0);
        // Type 17: a format byte 0, then the AMF0 values.
        ByteBuf payload = Unpooled.buffer().writeByte(0).writeBytes(amf0.payload());
        amf0.release();
        ch.writeInbound(chunked(new RtmpMessage(3, MessageType.COMMAND_AMF3, 0, 0, payload)));
        CommandMessage result = CommandMessage.decode(drain().get(2));
        assertThat(result.name()).isEqualTo("_result");
        assertThat(result.argument(0)).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) result.argument(0)).get("objectEncoding")).isEqualTo(3.0);
    }

    @Test
    void pingRequestGetsAPingResponseWithTheSameTimestamp() {
        connect();
        ch.writeInbound(chunked(UserControl.pingRequest(ch.alloc(), 0xCAFEBABEL)));
        List<RtmpMessage> out = drain();
        assertThat(out).singleElement().satisfies(m -> {
            UserControl uc = UserControl.parse(m);
            assertThat(uc.eventType()).isEqualTo(UserControl.PING_RESPONSE);
            assertThat(uc.value()).isEqualTo(0xCAFEBABEL);
        });
    }

    @Test
    void bytesAreAcknowledgedPerThePeersWindow() {
        connect();
        ch.writeInbound(chunked(ProtocolControl.windowAckSize(ch.alloc(), 1000)));
        for (int i = 0; i < 12; i++) {
            // Audio before publish is ignored, but its bytes count.
            ch.writeInbound(chunked(new RtmpMessage(4, MessageType.AUDIO, 0, 1, Unpooled.wrappedBuffer(new byte[100]))));
        }
        List<RtmpMessage> acks = drain().stream().filter(m -> m.typeId() == MessageType.ACKNOWLEDGEMENT).toList();
        assertThat(acks).hasSize(1);
        long sequence = acks.get(0).payload().getUnsignedInt(0);
        assertThat(sequence).isBetween(1000L, 1300L);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void commandBeforeConnectClosesWithAReason() {
        send(CommandMessage.of("createStream", 1, null), 0);
        assertThat(ch.isOpen()).isFalse();
        assertThat(log.closeReason()).isEqualTo("command 'createStream' before connect");
    }

    @Test
    void malformedUserControlClosesWithAReason() {
        connect();
        ch.writeInbound(chunked(new RtmpMessage(2, MessageType.USER_CONTROL, 0, 0, Unpooled.wrappedBuffer(new byte[] {0, 6}))));
        assertThat(ch.isOpen()).isFalse();
        assertThat(log.closeReason()).isEqualTo("User Control event 6 with 2 bytes");
    }

    private void connect() {
        send(CommandMessage.of("connect", 1, Map.of("app", "live", "tcUrl", "rtmp://h/live")), 0);
        drain();
    }

    private void send(CommandMessage cmd, int msid) {
        ch.writeInbound(chunked(cmd.encode(ch.alloc(), msid)));
    }

    private static ByteBuf chunked(RtmpMessage m) {
        ByteBuf b = Unpooled.buffer();
        new ChunkEncoder().encode(m, b);
        m.release();
        return b;
    }

    private List<RtmpMessage> drain() {
        List<RtmpMessage> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            pending.writeBytes(b);
            b.release();
        }
        replies.decode(pending, out);
        pending.discardReadBytes();
        received.addAll(out);
        return out;
    }
}
