package dev.vireo.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.StreamKey;
import dev.vireo.media.Codec;
import dev.vireo.media.flv.FlvBodyWriter;
import dev.vireo.media.flv.FlvPacketKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server with {@link RtmpClient} as publisher and viewer. */
class RtmpServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20); // bounds a wait, not a speed: loaded machines take seconds

    @Test
    void clientSeesAValidFlashMediaServerHandshakeAndConnects() throws Exception {
        try (TestServer ts = new TestServer()) {
            RtmpClient c = ts.client("live/x");
            assertThat(c.serverDigestValid()).as("S1 digest with the FMS key").isTrue();
            assertThat(c.serverSignatureValid()).as("S2 signed with the key from our C1 digest").isTrue();
            assertThat(c.connectStatus().code()).isEqualTo("NetConnection.Connect.Success");
            c.close();
        }
    }

    @Test
    void publishedFramesReachAViewerStartingWithHeadersAndAKeyframe() throws Exception {
        try (TestServer ts = new TestServer()) {
            RtmpClient pub = ts.client("live/cam");
            assertThat(pub.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            Synthetic.Publisher source = new Synthetic.Publisher(pub, false).start(ts.clients.next());
            TestServer.await("a few frames in the hub", WAIT, () -> source.framesSent() > 20);

            CountingViewer viewer = new CountingViewer();
            RtmpClient play = ts.client("live/cam");
            RtmpClient.Status s = play.play(viewer).get(20, TimeUnit.SECONDS);
            assertThat(s.code()).isEqualTo("NetStream.Play.Start");
            TestServer.await("30 video frames", WAIT, () -> viewer.video.get() >= 30 && viewer.audio.get() >= 10);

            assertThat(play.statuses()).extracting(RtmpClient.Status::code)
                    .startsWith("NetStream.Play.Reset", "NetStream.Play.Start");
            // Metadata first (without the @setDataFrame wrapper), then the sequence headers.
            CountingViewer.Tag first = viewer.tags.get(0);
            assertThat(first.type()).isEqualTo(RtmpClient.TAG_SCRIPT);
            assertThat(new String(first.head(), StandardCharsets.ISO_8859_1)).startsWith("\u0002\u0000\nonMetaData");
            List<CountingViewer.Tag> video = viewer.videoTags();
            assertThat(video.get(0).head()).startsWith(0x17, 0x00); // AVC sequence header
            assertThat(video.get(1).head()).startsWith(0x17, 0x01); // then a keyframe
            // Timestamps never go backwards within a track.
            for (int i = 2; i < video.size(); i++) {
                assertThat(video.get(i).timestamp()).isGreaterThanOrEqualTo(video.get(i - 1).timestamp());
            }
            source.stop();
            play.close();
            pub.close();
        }
    }

    @Test
    void enhancedRtmpHevcIsIngestedAndPlayedBack() throws Exception {
        try (TestServer ts = new TestServer()) {
            RtmpClient pub = ts.client("live/hevc");
            assertThat(pub.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            Synthetic.Publisher source = new Synthetic.Publisher(pub, true).start(ts.clients.next());
            CountingViewer viewer = new CountingViewer();
            RtmpClient play = ts.client("live/hevc");
            assertThat(play.play(viewer).get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Play.Start");
            TestServer.await("HEVC frames", WAIT, () -> viewer.video.get() >= 20);

            MediaCheck.assertCodec(ts.hub.find(StreamKey.of("live", "hevc")).orElseThrow().videoConfig(), Codec.H265);
            byte[] head = viewer.videoTags().get(0).head();
            assertThat(head[0] & 0x80).as("ExVideoTagHeader").isNotZero();
            assertThat(new String(head, 1, 4, StandardCharsets.US_ASCII)).isEqualTo("hvc1");
            source.stop();
            play.close();
            pub.close();
        }
    }

    @Test
    void enhancedRtmpAv1KeyframesWithoutASequenceHeaderGetTheOneOfAv1c() throws Exception {
        byte[] seq = {0x0A, 0x03, 0x11, 0x22, 0x33}; // sequence header OBU with obu_size (content not read)
        byte[] av1c = {(byte) 0x81, 0x00, 0x0C, 0x00, 0x0A, 0x03, 0x11, 0x22, 0x33};
        byte[] bareKey = {0x12, 0x00, 0x32, 0x02, 0x10, 0x20}; // temporal delimiter, frame OBU
        byte[] fullKey = {0x12, 0x00, 0x0A, 0x01, 0x44, 0x32, 0x01, 0x30}; // its own sequence header
        byte[] delta = {0x12, 0x00, 0x32, 0x01, 0x50};
        try (TestServer ts = new TestServer()) {
            RtmpClient pub = ts.client("live/av1");
            assertThat(pub.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            CountingViewer viewer = new CountingViewer();
            RtmpClient play = ts.client("live/av1");
            pub.sendTag(RtmpClient.TAG_VIDEO, 0, video(FlvPacketKind.CONFIG, true, av1c));
            TestServer.await("the AV1 stream", WAIT, () -> ts.hub.find(StreamKey.of("live", "av1")).isPresent());
            assertThat(play.play(viewer).get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Play.Start");
            pub.sendTag(RtmpClient.TAG_VIDEO, 0, video(FlvPacketKind.CODED, true, bareKey));
            pub.sendTag(RtmpClient.TAG_VIDEO, 33, video(FlvPacketKind.CODED, false, delta));
            pub.sendTag(RtmpClient.TAG_VIDEO, 66, video(FlvPacketKind.CODED, true, fullKey));
            TestServer.await("config and 3 frames", WAIT, () -> viewer.video.get() >= 4);
            List<byte[]> obus = viewer.videoTags().stream()
                    .map(t -> java.util.Arrays.copyOfRange(t.head(), 5, t.head().length)).toList();
            byte[] fixedKey = new byte[bareKey.length + seq.length];
            System.arraycopy(bareKey, 0, fixedKey, 0, 2);
            System.arraycopy(seq, 0, fixedKey, 2, seq.length);
            System.arraycopy(bareKey, 2, fixedKey, 2 + seq.length, bareKey.length - 2);
            assertThat(obus).containsExactly(av1c, fixedKey, delta, fullKey);
            play.close();
            pub.close();
        }
    }

    private static ByteBuf video(FlvPacketKind kind, boolean key, byte[] payload) {
        return FlvBodyWriter.video(ByteBufAllocator.DEFAULT, Codec.AV1, kind, key, 0, Unpooled.wrappedBuffer(payload));
    }

    @Test
    void secondPublisherGetsBadNameAndPlayOfUnknownStreamGetsStreamNotFound() throws Exception {
        try (TestServer ts = new TestServer()) {
            RtmpClient first = ts.client("live/one");
            assertThat(first.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");

            RtmpClient second = ts.client("live/one");
            RtmpClient.Status busy = second.publish().get(20, TimeUnit.SECONDS);
            assertThat(busy).isEqualTo(new RtmpClient.Status("error", "NetStream.Publish.BadName",
                    "stream /live/one is already being published"));
            second.closeFuture().get(20, TimeUnit.SECONDS);

            RtmpClient viewer = ts.client("live/nothing");
            RtmpClient.Status missing = viewer.play(new CountingViewer()).get(20, TimeUnit.SECONDS);
            assertThat(missing.code()).isEqualTo("NetStream.Play.StreamNotFound");
            assertThat(missing.level()).isEqualTo("error");
            assertThat(missing.description()).contains("/live/nothing");
            viewer.closeFuture().get(20, TimeUnit.SECONDS);
            assertThat(first.isOpen()).isTrue();
            first.close();
        }
    }

    @Test
    void gateSeesHostQueryAndVhostOverrideAndItsRefusalReachesThePeer() throws Exception {
        List<Gate.AccessRequest> requests = new CopyOnWriteArrayList<>();
        Gate gate = r -> {
            requests.add(r);
            return r.query().contains("auth_key=good")
                    ? new Gate.Allow(new StreamKey(r.host(), r.app(), r.stream()))
                    : new Gate.Deny(403, "denied by req auth: invalid md5hash=bad");
        };
        try (TestServer ts = new TestServer(RtmpConfig.defaults(), HubConfig.defaults(), gate)) {
            RtmpClient denied = ts.client("live/cam?auth_key=bad");
            RtmpClient.Status s = denied.publish().get(20, TimeUnit.SECONDS);
            assertThat(s).isEqualTo(new RtmpClient.Status("error", "NetStream.Publish.Unauthorized",
                    "denied by req auth: invalid md5hash=bad"));
            denied.closeFuture().get(20, TimeUnit.SECONDS);
            assertThat(requests.get(0)).isEqualTo(new Gate.AccessRequest(Gate.Action.PUBLISH, "rtmp", "127.0.0.1",
                    "live", "cam", "", "auth_key=bad", requests.get(0).clientAddress()));

            RtmpClient allowed = ts.client("live/cam?vhost=example.com&auth_key=good");
            assertThat(allowed.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            assertThat(requests.get(1).host()).isEqualTo("example.com");
            assertThat(ts.hub.find(new StreamKey("example.com", "live", "cam"))).isPresent();

            RtmpClient viewer = ts.client("live/cam?vhost=example.com&auth_key=bad");
            RtmpClient.Status p = viewer.play(new CountingViewer()).get(20, TimeUnit.SECONDS);
            assertThat(p.code()).isEqualTo("NetStream.Play.Unauthorized");
            assertThat(p.description()).isEqualTo("denied by req auth: invalid md5hash=bad");
            assertThat(requests.get(2).action()).isEqualTo(Gate.Action.PLAY);
            allowed.close();
        }
    }

    @Test
    void publisherThatComesBackWithinTheGracePeriodKeepsItsViewers() throws Exception {
        HubConfig hub = HubConfig.defaults().withReconnectGrace(Duration.ofSeconds(5));
        try (TestServer ts = new TestServer(RtmpConfig.defaults(), hub, Gate.allowAll())) {
            RtmpClient pub1 = ts.client("live/re");
            assertThat(pub1.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            Synthetic.Publisher src1 = new Synthetic.Publisher(pub1, false).start(ts.clients.next());
            CountingViewer viewer = new CountingViewer();
            RtmpClient play = ts.client("live/re");
            assertThat(play.play(viewer).get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Play.Start");
            TestServer.await("frames from the first publisher", WAIT, () -> viewer.video.get() >= 20);

            src1.stop();
            pub1.close();
            TestServer.await("publisher gone", WAIT, () -> !ts.isLive("live", "re"));
            int before = viewer.video.get();

            RtmpClient pub2 = ts.client("live/re");
            assertThat(pub2.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            Synthetic.Publisher src2 = new Synthetic.Publisher(pub2, false).start(ts.clients.next());
            TestServer.await("frames from the second publisher", WAIT, () -> viewer.video.get() >= before + 30);
            assertThat(play.isOpen()).isTrue();
            assertThat(viewer.statuses).extracting(RtmpClient.Status::code)
                    .doesNotContain("NetStream.Play.UnpublishNotify");
            // The new publisher's sequence header reached the viewer again.
            assertThat(viewer.videoTags().stream().filter(t -> t.head()[0] == 0x17 && t.head()[1] == 0).count())
                    .isEqualTo(2);
            src2.stop();
            pub2.close();
            play.close();
        }
    }

    @Test
    void viewersGetUnpublishNotifyAndAreClosedWhenTheGracePeriodEnds() throws Exception {
        HubConfig hub = HubConfig.defaults().withReconnectGrace(Duration.ofMillis(200));
        try (TestServer ts = new TestServer(RtmpConfig.defaults(), hub, Gate.allowAll())) {
            RtmpClient pub = ts.client("live/end");
            assertThat(pub.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            Synthetic.Publisher src = new Synthetic.Publisher(pub, false).start(ts.clients.next());
            CountingViewer viewer = new CountingViewer();
            RtmpClient play = ts.client("live/end");
            assertThat(play.play(viewer).get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Play.Start");
            TestServer.await("frames", WAIT, () -> viewer.video.get() >= 5);
            src.stop();
            pub.close();
            viewer.closed.get(20, TimeUnit.SECONDS);
            assertThat(viewer.statuses).extracting(RtmpClient.Status::code).contains("NetStream.Play.UnpublishNotify");
        }
    }

    @Test
    void kickedPublisherIsDisconnected() throws Exception {
        try (TestServer ts = new TestServer(); LogCapture logs = new LogCapture()) {
            RtmpClient pub = ts.client("live/kick");
            assertThat(pub.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            assertThat(ts.hub.kick(StreamKey.of("live", "kick"), "kicked by the operator")).isTrue();
            pub.closeFuture().get(20, TimeUnit.SECONDS);
            logs.await(WAIT, "publication revoked: kicked by the operator");
        }
    }

    @Test
    void slowViewerIsDisconnectedWhileAFastOneKeepsReceiving() throws Exception {
        // The lag bound (2 s) and the rate (about 1 MB/s) leave the viewer that reads room for the
        // stalls of a loaded machine: at 500 ms and 10 MB/s a 1 s stall of its reading at load 15 on
        // 2 cores had it dropped as too slow (2 of 4 runs). The stalled viewer's buffers (a 4 KB receive
        // window, the server's send buffer of at most 4 MB) fill within about 5 s at that rate.
        HubConfig hub = HubConfig.defaults().withSlowViewerMaxLag(Duration.ofSeconds(2));
        RtmpConfig config = RtmpConfig.defaults();
        try (TestServer ts = new TestServer(config, hub, Gate.allowAll()); LogCapture logs = new LogCapture()) {
            RtmpClient pub = ts.client("live/slow");
            assertThat(pub.publish().get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Publish.Start");
            Synthetic.Publisher src = new Synthetic.Publisher(pub, false, 40_000, 30_000).start(ts.clients.next());
            CountingViewer fast = new CountingViewer();
            RtmpClient fastClient = ts.client("live/slow");
            assertThat(fastClient.play(fast).get(20, TimeUnit.SECONDS).code()).isEqualTo("NetStream.Play.Start");

            try (RawPeer stalled = new RawPeer(ts.port, 4096).handshake()) {
                stalled.sendCommand(CommandMessage.of("connect", 1, java.util.Map.of("app", "live",
                        "tcUrl", ts.url("live"))), 0);
                stalled.sendCommand(CommandMessage.of("createStream", 2, null), 0);
                stalled.sendCommand(CommandMessage.of("play", 0, null, "slow"), 1);
                // It never reads: the server must give up on it (this one: its port) after the lag bound.
                logs.await(Duration.ofSeconds(30), "from /127.0.0.1:" + stalled.localPort() + ": viewer too slow");
            }
            int before = fast.video.get();
            TestServer.await("the fast viewer keeps receiving", Duration.ofSeconds(20),
                    () -> fast.video.get() >= before + 10);
            assertThat(fastClient.isOpen()).isTrue();
            assertThat(logs.count("viewer too slow")).as("only the stalled viewer was too slow").isEqualTo(1);
            src.stop();
            fastClient.close();
            pub.close();
        }
    }

    @Test
    void connectionRefusedWhenNothingListens() throws Exception {
        try (TestServer ts = new TestServer()) {
            int port = ts.port;
            ts.server.close();
            assertThatThrownBy(() -> RtmpClient.connect("rtmp://127.0.0.1:" + port + "/live/x", ts.clients,
                    io.netty.channel.socket.nio.NioSocketChannel.class).get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }
}
