package dev.vireo.webrtc.whep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vireo.core.Gate;
import dev.vireo.core.HubConfig;
import dev.vireo.core.MediaFrame;
import dev.vireo.core.Publication;
import dev.vireo.core.StreamHub;
import dev.vireo.core.StreamKey;
import dev.vireo.core.testing.Await;
import dev.vireo.media.Codec;
import dev.vireo.media.avc.AvcDecoderConfigurationRecord;
import dev.vireo.webrtc.WebRtcConfig;
import dev.vireo.webrtc.dtls.CertificateFingerprint;
import dev.vireo.webrtc.dtls.DtlsSrtpClient;
import dev.vireo.webrtc.ice.IceCredentials;
import dev.vireo.webrtc.rtcp.GenericNack;
import dev.vireo.webrtc.rtcp.NtpTime;
import dev.vireo.webrtc.rtcp.PictureLossIndication;
import dev.vireo.webrtc.rtcp.ReceiverEstimatedMaxBitrate;
import dev.vireo.webrtc.rtcp.ReceiverReport;
import dev.vireo.webrtc.rtcp.ReportBlock;
import dev.vireo.webrtc.rtcp.RtcpCompound;
import dev.vireo.webrtc.rtcp.RtcpPacket;
import dev.vireo.webrtc.rtcp.SenderReport;
import dev.vireo.webrtc.rtcp.TransportCcRecorder;
import dev.vireo.webrtc.rtp.Av1Depacketizer;
import dev.vireo.webrtc.rtp.Av1Packetizer;
import dev.vireo.webrtc.rtp.RtpHeader;
import dev.vireo.webrtc.rtp.RtpHeaderExtensions;
import dev.vireo.webrtc.srtp.SrtpContext;
import dev.vireo.webrtc.stun.StunClass;
import dev.vireo.webrtc.testing.Av1Clip;
import dev.vireo.webrtc.testing.FakeBrowser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * WHEP end to end against a Java peer: the HTTP resource (RFC 9725 status codes, headers,
 * PATCH/DELETE), then ICE, DTLS-SRTP and the media itself, byte by byte: parameter sets in front
 * of the keyframe, RTX for a NACK, the GOP again for a PLI, sender reports and RTT.
 */
@Timeout(60)
class WhepPlaybackTest {

    /** x264's parameter sets for 640x360 High profile, level 3.0. */
    static final byte[] SPS = {0x67, 0x64, 0x00, 0x1e, (byte) 0xac, (byte) 0xb2, 0x01, 0x40, 0x5f, (byte) 0xf2,
        (byte) 0xe0, 0x22, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00, 0x79, 0x1e, 0x2c, 0x5c, (byte) 0x90};
    static final byte[] PPS = {0x68, (byte) 0xeb, (byte) 0xc3, (byte) 0xcb, 0x22, (byte) 0xc0};
    private static final StreamKey KEY = StreamKey.of("live", "demo");

    private final HttpClient http = HttpClient.newHttpClient();
    private EventLoopGroup group;
    private DefaultEventExecutor timer;
    private StreamHub hub;
    private WhepRig rig;
    private Publication publication;
    private final List<FakeBrowser> browsers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = new DefaultEventExecutor();
        hub = new StreamHub(HubConfig.defaults(), timer);
        Gate gate = request -> request.stream().equals("secret") && !request.query().contains("auth_key=good")
                ? new Gate.Deny(403, "denied by req auth: invalid md5hash=bad")
                : new Gate.Allow(StreamKey.of(request.app(), request.stream()));
        rig = new WhepRig(hub, gate, WebRtcConfig.defaults().withBind("127.0.0.1", 0), group);
        publication = hub.publish(KEY, "test-publisher", reason -> { });
        ByteBuf record = Unpooled.buffer();
        AvcDecoderConfigurationRecord.of(SPS, PPS).write(record);
        publication.send(MediaFrame.config(Codec.H264, 0, record));
        sendFrame(0, true, 3000);
        sendFrame(33, false, 500);
    }

    @AfterEach
    void stop() throws Exception {
        for (FakeBrowser b : browsers) {
            b.close();
        }
        publication.close();
        rig.close();
        hub.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        timer.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A frame of one NAL unit of {@code size} bytes whose content encodes its dts. */
    private void sendFrame(long dts, boolean key, int size) {
        ByteBuf au = Unpooled.buffer(size + 4);
        au.writeInt(size).writeByte(key ? 0x65 : 0x41);
        for (int i = 1; i < size; i++) {
            au.writeByte((int) (dts + i));
        }
        publication.send(MediaFrame.media(Codec.H264, dts, 0, key, au));
    }

    /**
     * Sends 2 KB frames 33 ms apart from {@code dts} on, each read by {@code v}, until the session
     * has measured a send rate above 100 kbps (within 10 s); returns the next frame's dts.
     */
    private long sendUntilTheRateIsMeasured(Viewer v, long dts) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (rig.whep.sessions().getFirst().sendBps() <= 100_000) {
            assertThat(System.nanoTime()).as("the send rate is measured within 10 s").isLessThan(deadline);
            sendFrame(dts, false, 2000);
            v.nextFrame();
            dts += 33;
        }
        return dts;
    }

    /** RTCP on the media port: packet types 192-223 where RTP has its marker and payload type (RFC 5761 §4). */
    private static boolean isRtcp(byte[] datagram) {
        int pt = datagram[1] & 0xff;
        return pt >= 192 && pt <= 223;
    }

    private static String chromiumOffer() throws IOException {
        try (InputStream in = WhepPlaybackTest.class.getResourceAsStream("/whep/chromium-156-offer.sdp")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The Chromium offer with this fake browser's ICE credentials and certificate. */
    private static String offerOf(FakeBrowser b) throws IOException {
        return chromiumOffer()
                .replaceAll("a=ice-ufrag:\\S+", "a=ice-ufrag:" + b.credentials.ufrag())
                .replaceAll("a=ice-pwd:\\S+", "a=ice-pwd:" + b.credentials.pwd())
                .replaceAll("a=fingerprint:sha-256 \\S+", "a=fingerprint:" + b.certificate.fingerprint().toSdpValue());
    }

    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(rig.url(path))).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String location, String contentType, String body, String ifMatch)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(rig.url(location)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String group(String text, String regex, int group) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as("%s in:%n%s", regex, text).isTrue();
        return m.group(group);
    }

    // ---- the HTTP resource ----

    @Test
    void anOfferIsAnsweredWith201LocationEtagAndAnIceLiteSendOnlyAnswer() throws Exception {
        FakeBrowser b = browser();
        HttpResponse<String> r = post("/live/demo/whep", "application/sdp", offerOf(b));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/sdp");
        assertThat(r.headers().firstValue("Location")).get().asString().matches("/live/demo/whep/[0-9a-f]{32}");
        assertThat(r.headers().firstValue("ETag")).get().asString().matches("\"[A-Za-z0-9]{8}\"");
        assertThat(r.headers().firstValue("Accept-Patch")).hasValue("application/trickle-ice-sdpfrag");
        assertThat(r.headers().firstValue("Access-Control-Expose-Headers")).get().asString()
                .contains("Location", "ETag", "Link");
        String answer = r.body();
        assertThat(answer).contains("a=ice-lite", "a=setup:passive", "a=sendonly", "a=end-of-candidates",
                "a=fingerprint:" + rig.rtc.fingerprint().toSdpValue(),
                "a=candidate:1 1 udp 2130706431 127.0.0.1 " + rig.rtcPort + " typ host", "H264/90000", "a=rtcp-fb:",
                "apt=");
        // The stream is H.264 High without audio: the audio section is rejected.
        assertThat(answer).containsPattern("m=audio 0 ");
        assertThat(r.headers().firstValue("ETag").get()).contains(group(answer, "^a=ice-ufrag:(\\S+)", 1));
        assertThat(rig.whep.sessions()).hasSize(1);
        assertThat(r.headers().firstValue("Link")).as("no ICE servers configured").isEmpty();
    }

    @Test
    void beyondTheSessionCapAnOfferGets503WithRetryAfter() throws Exception {
        try (WhepRig capped = new WhepRig(hub, request -> new Gate.Allow(StreamKey.of(request.app(), request.stream())),
                WebRtcConfig.defaults().withBind("127.0.0.1", 0).withMaxSessions(1), group)) {
            String offer = offerOf(browser());
            HttpResponse<String> first = postTo(capped, offer);
            assertThat(first.statusCode()).isEqualTo(201);
            HttpResponse<String> second = postTo(capped, offerOf(browser()));
            assertThat(second.statusCode()).isEqualTo(503);
            assertThat(second.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(second.body()).contains("limit of 1 WebRTC sessions");
            assertThat(capped.registry.get("vireo.webrtc.sessions.refused").counter().count()).isEqualTo(1);
            assertThat(capped.rtc.stats().sessions()).isEqualTo(1);

            // A place frees up when a viewer leaves.
            String location = first.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(capped.url(location)))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isEqualTo(200);
            Await.until(Duration.ofSeconds(5), "the session is gone", () -> capped.rtc.stats().sessions() == 0);
            assertThat(postTo(capped, offerOf(browser())).statusCode()).isEqualTo(201);
        }
    }

    private HttpResponse<String> postTo(WhepRig target, String offer) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(target.url("/live/demo/whep")))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void configuredIceServersAreAdvertisedInTheLinkHeader() throws Exception {
        rig.whep.withIceServers(IceServer.parseList(
                "stun:stun.example.net:3478, turn:turn.example.net:3478?transport=udp|viewer|s3cret"));
        HttpResponse<String> r = post("/live/demo/whep", "application/sdp", offerOf(browser()));
        assertThat(r.statusCode()).isEqualTo(201);
        // RFC 9725 §4.6 / RFC 8288: one link-value per server
        assertThat(r.headers().firstValue("Link")).hasValue("<stun:stun.example.net:3478>; rel=\"ice-server\", "
                + "<turn:turn.example.net:3478?transport=udp>; rel=\"ice-server\"; username=\"viewer\"; "
                + "credential=\"s3cret\"; credential-type=\"password\"");
    }

    @Test
    void errorsHaveTheWhepStatusCodes() throws Exception {
        String offer = offerOf(browser());
        HttpResponse<String> wrongType = post("/live/demo/whep", "text/plain", offer);
        assertThat(wrongType.statusCode()).isEqualTo(415);
        HttpResponse<String> garbage = post("/live/demo/whep", "application/sdp", "hello");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("InvalidOffer");
        HttpResponse<String> noFingerprint = post("/live/demo/whep", "application/sdp",
                offer.replaceAll("a=fingerprint:.*\r\n", ""));
        assertThat(noFingerprint.statusCode()).isEqualTo(400);
        HttpResponse<String> noVideoNoAudio = post("/live/demo/whep", "application/sdp",
                offer.replace("H264/90000", "H263/90000"));
        assertThat(noVideoNoAudio.statusCode()).isEqualTo(400);
        HttpResponse<String> notLive = post("/live/nothing/whep", "application/sdp", offer);
        assertThat(notLive.statusCode()).isEqualTo(404);
        assertThat(notLive.body()).contains("StreamNotFound");
        HttpResponse<String> denied = post("/live/secret/whep?auth_key=bad", "application/sdp", offer);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("X-Tengine-Error")).hasValue("denied by req auth: invalid md5hash=bad");
        // The offer for a stream that is not live had its session and transport: they close on the
        // transport's loop, which may come after the 404 reached us (CI saw the session still listed).
        Await.until(Duration.ofSeconds(5), () -> "failed offers leave no session and no transport behind: "
                + rig.whep.sessions() + ", " + rig.rtc.stats().sessions() + " transport(s)",
                () -> rig.whep.sessions().isEmpty() && rig.rtc.stats().sessions() == 0);
    }

    @Test
    void patchTrickleRestartAndDeleteFollowRfc9725() throws Exception {
        HttpResponse<String> r = post("/live/demo/whep", "application/sdp", offerOf(browser()));
        String location = r.headers().firstValue("Location").orElseThrow();
        String etag = r.headers().firstValue("ETag").orElseThrow();
        String frag = "a=ice-ufrag:" + browsers.getFirst().credentials.ufrag() + "\r\na=ice-pwd:"
                + browsers.getFirst().credentials.pwd() + "\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
                + "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\n";

        assertThat(send("PATCH", location, "application/sdp", frag, null).statusCode()).isEqualTo(415);
        assertThat(send("PATCH", location, "application/trickle-ice-sdpfrag", frag, "\"stale\"").statusCode())
                .isEqualTo(412);
        assertThat(send("PATCH", location, "application/trickle-ice-sdpfrag", "nonsense", null).statusCode())
                .isEqualTo(400);
        HttpResponse<String> trickle = send("PATCH", location, "application/trickle-ice-sdpfrag", frag, etag);
        assertThat(trickle.statusCode()).isEqualTo(204);
        assertThat(trickle.headers().firstValue("ETag")).hasValue(etag);

        IceCredentials fresh = IceCredentials.generate(FakeBrowser.RANDOM);
        HttpResponse<String> restart = send("PATCH", location, "application/trickle-ice-sdpfrag",
                "a=ice-ufrag:" + fresh.ufrag() + "\r\na=ice-pwd:" + fresh.pwd() + "\r\n", "*");
        assertThat(restart.statusCode()).isEqualTo(200);
        assertThat(restart.headers().firstValue("Content-Type")).hasValue("application/trickle-ice-sdpfrag");
        String newUfrag = group(restart.body(), "^a=ice-ufrag:(\\S+)", 1);
        assertThat(newUfrag).isNotEqualTo(etag.replace("\"", ""));
        assertThat(restart.headers().firstValue("ETag")).hasValue("\"" + newUfrag + "\"");
        assertThat(restart.body()).contains("a=ice-pwd:", "a=mid:", "a=candidate:", "a=end-of-candidates");

        assertThat(send("DELETE", "/live/other" + location.substring("/live/demo".length()), null, null, null)
                .statusCode()).as("a session is only found under its own stream").isEqualTo(404);
        assertThat(send("DELETE", location, null, null, null).statusCode()).isEqualTo(200);
        Await.until("the session is gone", () -> rig.whep.sessions().isEmpty());
        assertThat(send("DELETE", location, null, null, null).statusCode()).isEqualTo(404);
        assertThat(send("PATCH", location, "application/trickle-ice-sdpfrag", frag, null).statusCode()).isEqualTo(404);
        assertThat(rig.rtc.stats().sessions()).isZero();
    }

    // ---- media ----

    /** A connected fake browser with the answer's parameters. */
    private final class Viewer {
        final FakeBrowser browser;
        final String answer;
        final int videoPt;
        final int rtxPt;
        final int videoSsrc;
        final int rtxSsrc;
        final SrtpContext in;
        final SrtpContext out;
        final String location;
        final List<byte[]> rtcp = new ArrayList<>();

        Viewer() throws Exception {
            this("/live/demo/whep");
        }

        Viewer(String path) throws Exception {
            this(path, offer -> offer);
        }

        /** @param edit what the offer is changed into before it is posted */
        Viewer(String path, java.util.function.UnaryOperator<String> edit) throws Exception {
            browser = browser();
            HttpResponse<String> r = post(path, "application/sdp", edit.apply(offerOf(browser)));
            assertThat(r.statusCode()).isEqualTo(201);
            answer = r.body();
            location = r.headers().firstValue("Location").orElseThrow();
            videoPt = Integer.parseInt(group(answer, "^m=video \\d+ \\S+ (\\d+) (\\d+)", 1));
            rtxPt = Integer.parseInt(group(answer, "^m=video \\d+ \\S+ (\\d+) (\\d+)", 2));
            videoSsrc = Integer.parseUnsignedInt(group(answer, "^a=ssrc-group:FID (\\d+) (\\d+)", 1));
            rtxSsrc = Integer.parseUnsignedInt(group(answer, "^a=ssrc-group:FID (\\d+) (\\d+)", 2));
            IceCredentials server = new IceCredentials(group(answer, "^a=ice-ufrag:(\\S+)", 1),
                    group(answer, "^a=ice-pwd:(\\S+)", 1));
            assertThat(browser.check(server, true).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
            DtlsSrtpClient.Connected c = browser.connectDtls(
                    CertificateFingerprint.parse(group(answer, "^a=fingerprint:(.+)$", 1).trim()),
                    SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
            in = c.keys().inbound(false);
            out = c.keys().outbound(false);
        }

        /** The next datagram from the server as it came (still protected), within 5 s. */
        byte[] nextDatagram(String what) throws Exception {
            byte[] d = browser.nextMedia(Duration.ofSeconds(5));
            assertThat(d).as(what).isNotNull();
            return d;
        }

        /** The next RTP packet (decrypted); RTCP met on the way is kept in {@link #rtcp}. */
        ByteBuf nextRtp() throws Exception {
            while (true) {
                byte[] d = nextDatagram("a packet from the server");
                ByteBuf p = Unpooled.wrappedBuffer(d);
                if (isRtcp(d)) {
                    in.unprotectRtcp(p);
                    rtcp.add(ByteBufUtil.getBytes(p));
                    continue;
                }
                in.unprotectRtp(p);
                return p;
            }
        }

        /** The next RTCP compound from the server (decrypted), skipping RTP. */
        List<RtcpPacket> nextRtcp() throws Exception {
            while (true) {
                byte[] d = nextDatagram("a packet from the server");
                if (isRtcp(d)) {
                    ByteBuf p = Unpooled.wrappedBuffer(d);
                    in.unprotectRtcp(p);
                    return RtcpCompound.parse(p);
                }
            }
        }

        /** The next RTP packet of {@code ssrc} as it came (still protected), skipping the rest. */
        byte[] nextRtpOf(int ssrc, String what) throws Exception {
            while (true) {
                byte[] d = nextDatagram(what);
                if (!isRtcp(d) && RtpHeader.ssrc(Unpooled.wrappedBuffer(d)) == ssrc) {
                    return d;
                }
            }
        }

        /** RTP packets until one with the marker (the end of a frame). */
        List<ByteBuf> nextFrame() throws Exception {
            List<ByteBuf> frame = new ArrayList<>();
            while (true) {
                ByteBuf p = nextRtp();
                frame.add(p);
                if (RtpHeader.marker(p)) {
                    return frame;
                }
            }
        }

        void sendRtcp(RtcpPacket... packets) throws Exception {
            ByteBuf b = Unpooled.buffer(256);
            RtcpCompound.write(b, packets);
            out.protectRtcp(b);
            browser.send(b);
        }
    }

    // ---- AV1 ----

    private static Av1Clip av1Clip() throws IOException {
        try (InputStream in = WhepPlaybackTest.class.getResourceAsStream("/rtp/testsrc-160x120-av1.ivf")) {
            return Av1Clip.readIvf(in.readAllBytes());
        }
    }

    /** Publishes live/av1: av1C, then the given temporal units 33 ms apart from dts 0. */
    private Publication publishAv1(Av1Clip clip, boolean opus, byte[]... units) throws Exception {
        Publication p = hub.publish(StreamKey.of("live", "av1"), "av1-publisher", reason -> { });
        if (opus) {
            p.send(MediaFrame.config(Codec.OPUS, 0, Unpooled.EMPTY_BUFFER));
        }
        p.send(MediaFrame.config(Codec.AV1, 0, Unpooled.wrappedBuffer(clip.av1c())));
        for (int i = 0; i < units.length; i++) {
            p.send(MediaFrame.media(Codec.AV1, 33L * i, 0, i == 0, Unpooled.wrappedBuffer(units[i])));
        }
        return p;
    }

    private static List<ByteBuf> payloads(List<ByteBuf> packets) {
        return packets.stream().map(p -> RtpHeader.parse(p).payload(p)).toList();
    }

    private static byte[] depacketize(List<ByteBuf> packets) {
        Av1Depacketizer.TemporalUnit tu = Av1Depacketizer.depacketize(ByteBufAllocator.DEFAULT, payloads(packets), 1 << 20);
        try {
            return ByteBufUtil.getBytes(tu.obus());
        } finally {
            tu.obus().release();
        }
    }

    /** libaom's temporal unit without its temporal delimiter (2 bytes: 0x12 0x00), which RTP does not carry. */
    private static byte[] withoutTemporalDelimiter(byte[] tu) {
        assertThat(tu[0]).isEqualTo((byte) 0x12);
        return java.util.Arrays.copyOfRange(tu, 2, tu.length);
    }

    @Test
    void anAv1StreamIsAnsweredWithAv1AndEveryKeyframeCarriesItsSequenceHeader() throws Exception {
        Av1Clip clip = av1Clip();
        Publication p = publishAv1(clip, false, clip.units().get(0).obus(), clip.units().get(1).obus());
        try {
            Viewer v = new Viewer("/live/av1/whep");
            assertThat(v.answer).contains("a=rtpmap:" + v.videoPt + " AV1/90000", "a=fmtp:" + v.rtxPt + " apt=" + v.videoPt,
                    "a=rtcp-fb:" + v.videoPt + " nack pli");
            List<ByteBuf> key = v.nextFrame();
            // 3.5 kB keyframe in 3 packets; N on the first: a new coded video sequence (AV1 RTP §4.4).
            assertThat(key).hasSize(3);
            assertThat(payloads(key).getFirst().getUnsignedByte(0) & (Av1Packetizer.N | 0x80)).isEqualTo(Av1Packetizer.N);
            assertThat(key).extracting(RtpHeader::timestamp).containsOnly(RtpHeader.timestamp(key.getFirst()));
            assertThat(key).extracting(RtpHeader::payloadType).containsOnly(v.videoPt);
            assertThat(depacketize(key)).as("the keyframe as encoded, its in-band sequence header first, no av1C copy")
                    .isEqualTo(withoutTemporalDelimiter(clip.units().get(0).obus()));
            List<ByteBuf> delta = v.nextFrame();
            assertThat(delta).hasSize(1);
            assertThat(payloads(delta).getFirst().getUnsignedByte(0) & Av1Packetizer.N).isZero();
            assertThat(depacketize(delta)).isEqualTo(withoutTemporalDelimiter(clip.units().get(1).obus()));
            assertThat(RtpHeader.timestamp(delta.getFirst()) - RtpHeader.timestamp(key.getFirst())).isEqualTo(1);

            p.send(MediaFrame.media(Codec.AV1, 66, 0, false, Unpooled.wrappedBuffer(clip.units().get(2).obus())));
            List<ByteBuf> live = v.nextFrame();
            assertThat(RtpHeader.timestamp(live.getFirst()) - RtpHeader.timestamp(delta.getFirst())).isEqualTo(33 * 90);
            assertThat(depacketize(live)).isEqualTo(withoutTemporalDelimiter(clip.units().get(2).obus()));
            assertThat(rig.whep.sessions().getFirst().keyframesSent()).isEqualTo(1);
        } finally {
            p.close();
        }
    }

    @Test
    void anAv1KeyframeWithoutASequenceHeaderGetsTheOneOfAv1cInFront() throws Exception {
        Av1Clip clip = av1Clip();
        byte[] bareKey = Av1Clip.withoutSequenceHeader(clip.units().get(0).obus());
        Publication p = publishAv1(clip, false, bareKey);
        try {
            Viewer v = new Viewer("/live/av1/whep");
            List<ByteBuf> key = v.nextFrame();
            List<ByteBuf> pl = payloads(key);
            // the av1C sequence header alone, N set, no marker; then the keyframe, N clear, same timestamp
            assertThat(pl.getFirst().getUnsignedByte(0) & (Av1Packetizer.N | 0x40 /* Y */)).isEqualTo(Av1Packetizer.N);
            assertThat(RtpHeader.marker(key.getFirst())).isFalse();
            assertThat(pl.subList(1, pl.size())).allSatisfy(x -> assertThat(x.getUnsignedByte(0) & Av1Packetizer.N).isZero());
            assertThat(key).extracting(RtpHeader::timestamp).containsOnly(RtpHeader.timestamp(key.getFirst()));
            assertThat(depacketize(key.subList(0, 1))).isEqualTo(clip.sequenceHeaderObu());
            assertThat(depacketize(key.subList(1, key.size()))).isEqualTo(withoutTemporalDelimiter(bareKey));
        } finally {
            p.close();
        }
    }

    @Test
    void framesOfAnotherCodecThanTheNegotiatedOneAreNotSent() throws Exception {
        Viewer v = new Viewer(); // H.264
        v.nextFrame();
        v.nextFrame();
        Av1Clip clip = av1Clip();
        publication.send(MediaFrame.config(Codec.AV1, 66, Unpooled.wrappedBuffer(clip.av1c())));
        publication.send(MediaFrame.media(Codec.AV1, 66, 0, true, Unpooled.wrappedBuffer(clip.units().get(0).obus())));
        sendFrame(99, false, 400);
        List<ByteBuf> next = v.nextFrame();
        assertThat(next).as("the H.264 frame after the AV1 keyframe, alone").hasSize(1);
        assertThat(nalType(next.getFirst())).isEqualTo(1);
        assertThat(RtpHeader.payloadType(next.getFirst())).isEqualTo(v.videoPt);
    }

    @Test
    void aBrowserWithoutAv1GetsTheAudioOnlyOrAReason() throws Exception {
        Av1Clip clip = av1Clip();
        Publication p = publishAv1(clip, true, clip.units().getFirst().obus());
        try {
            FakeBrowser b = browser();
            String noAv1 = offerOf(b).replace("AV1/90000", "XV1/90000");
            HttpResponse<String> r = post("/live/av1/whep", "application/sdp", noAv1);
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.body()).containsPattern("m=video 0 ").contains("opus/48000/2").doesNotContain("AV1");
            assertThat(rig.whep.sessions()).hasSize(1);
            HttpResponse<String> videoOnly = post("/live/av1/whep", "application/sdp",
                    noAv1.replace("opus/48000/2", "xpus/48000/2"));
            assertThat(videoOnly.statusCode()).isEqualTo(400);
            assertThat(videoOnly.body()).contains("no offered codec fits Av1[profile=0]");
        } finally {
            p.close();
        }
    }

    private FakeBrowser browser() throws Exception {
        FakeBrowser b = new FakeBrowser(rig.rtcPort);
        browsers.add(b);
        return b;
    }

    private static int nalType(ByteBuf rtp) {
        RtpHeader h = RtpHeader.parse(rtp);
        return h.payload(rtp).getUnsignedByte(0) & 0x1f;
    }

    @Test
    void theViewerStartsWithParameterSetsAndTheKeyframeThenGetsLiveFrames() throws Exception {
        Viewer v = new Viewer();
        List<ByteBuf> first = v.nextFrame();
        // RFC 6184: STAP-A (SPS+PPS), then the 3000-byte IDR in FU-A fragments, all one timestamp.
        assertThat(nalType(first.getFirst())).isEqualTo(24);
        assertThat(first.subList(1, first.size())).allSatisfy(p -> assertThat(nalType(p)).isEqualTo(28));
        assertThat(first).extracting(RtpHeader::payloadType).containsOnly(v.videoPt);
        assertThat(first).extracting(RtpHeader::ssrc).containsOnly(v.videoSsrc);
        assertThat(first).extracting(RtpHeader::timestamp).containsOnly(RtpHeader.timestamp(first.getFirst()));
        int seq = RtpHeader.sequenceNumber(first.getFirst());
        for (int i = 0; i < first.size(); i++) {
            assertThat(RtpHeader.sequenceNumber(first.get(i))).isEqualTo(seq + i & 0xFFFF);
        }
        ByteBuf stap = RtpHeader.parse(first.getFirst()).payload(first.getFirst());
        assertThat(stap.getUnsignedShort(1)).isEqualTo(SPS.length);
        assertThat(ByteBufUtil.getBytes(stap, 3, SPS.length)).isEqualTo(SPS);

        List<ByteBuf> second = v.nextFrame();
        assertThat(second).hasSize(1);
        long burstTs = RtpHeader.timestamp(second.getFirst());
        assertThat(burstTs - RtpHeader.timestamp(first.getFirst()))
                .as("the GOP burst is packed in 90 kHz ticks just before the live edge").isEqualTo(1);

        sendFrame(66, false, 400);
        List<ByteBuf> live = v.nextFrame();
        // A live frame is 33 ms (2970 ticks at 90 kHz) after the last frame of the burst.
        assertThat(RtpHeader.timestamp(live.getFirst()) - burstTs).isEqualTo(33 * 90);
        assertThat(RtpHeader.sequenceNumber(live.getFirst())).isEqualTo(RtpHeader.sequenceNumber(second.getFirst()) + 1 & 0xFFFF);
        WhepSessionStats stats = rig.whep.sessions().getFirst();
        assertThat(stats.connected()).isTrue();
        assertThat(stats.srtpProfile()).isEqualTo("AEAD_AES_128_GCM");
        assertThat(stats.framesSent()).isEqualTo(3);
        assertThat(stats.keyframesSent()).isEqualTo(1);
        assertThat(stats.firstFrameMillis()).isNotNegative();
        // Server-added latency: recorded for live frames, not for the start-up GOP burst.
        io.micrometer.core.instrument.Timer delay = rig.registry.get("vireo.webrtc.egress.delay").timer();
        assertThat(delay.count()).isEqualTo(1);
        assertThat(delay.max(TimeUnit.SECONDS)).isLessThan(5);
    }

    @Test
    void aNackIsAnsweredWithAnRtxRetransmission() throws Exception {
        Viewer v = new Viewer();
        List<ByteBuf> key = v.nextFrame();
        ByteBuf lost = key.get(2);
        int lostSeq = RtpHeader.sequenceNumber(lost);
        byte[] lostPayload = ByteBufUtil.getBytes(RtpHeader.parse(lost).payload(lost));
        v.nextFrame();
        // RFC 4585 §6.2.1 generic NACK for one packet of the keyframe.
        v.sendRtcp(new ReceiverReport(0x1234, List.of()), new GenericNack(0x1234, v.videoSsrc, new int[] {lostSeq}));
        ByteBuf rtx = v.nextRtp();
        RtpHeader h = RtpHeader.parse(rtx);
        assertThat(h.payloadType()).isEqualTo(v.rtxPt);
        assertThat(h.ssrc()).isEqualTo(v.rtxSsrc);
        assertThat(h.timestamp()).isEqualTo(RtpHeader.timestamp(lost));
        ByteBuf payload = h.payload(rtx);
        // RFC 4588 §4: the original sequence number, then the original payload.
        assertThat(payload.getUnsignedShort(0)).isEqualTo(lostSeq);
        assertThat(ByteBufUtil.getBytes(payload, 2, payload.readableBytes() - 2)).isEqualTo(lostPayload);
        Await.until("stats count the NACK", () -> rig.whep.sessions().getFirst().retransmissions() == 1);
        assertThat(rig.whep.sessions().getFirst().nacksReceived()).isEqualTo(1);
        assertThat(rig.whep.retransmissions()).isEqualTo(1);

        // A sequence number never sent is not "retransmitted".
        v.sendRtcp(new ReceiverReport(0x1234, List.of()), new GenericNack(0x1234, v.videoSsrc, new int[] {lostSeq + 30_000 & 0xFFFF}));
        Await.until("second NACK seen", () -> rig.whep.sessions().getFirst().nacksReceived() == 2);
        assertThat(rig.whep.retransmissions()).isEqualTo(1);
    }

    @Test
    void aPliResendsTheGopAheadOfTheLiveFrames() throws Exception {
        Viewer v = new Viewer();
        List<ByteBuf> key = v.nextFrame();
        List<ByteBuf> p1 = v.nextFrame();
        v.sendRtcp(new ReceiverReport(0x1234, List.of()), new PictureLossIndication(0x1234, v.videoSsrc));
        List<ByteBuf> again = v.nextFrame();
        assertThat(nalType(again.getFirst())).isEqualTo(24);
        assertThat(again).hasSameSizeAs(key);
        long last = RtpHeader.timestamp(p1.getFirst());
        assertThat(RtpHeader.timestamp(again.getFirst())).isEqualTo(last + 1 & 0xFFFF_FFFFL);
        assertThat(RtpHeader.sequenceNumber(again.getFirst())).isEqualTo(RtpHeader.sequenceNumber(p1.getFirst()) + 1 & 0xFFFF);
        for (int i = 1; i < key.size(); i++) {
            assertThat(ByteBufUtil.getBytes(RtpHeader.parse(again.get(i)).payload(again.get(i))))
                    .isEqualTo(ByteBufUtil.getBytes(RtpHeader.parse(key.get(i)).payload(key.get(i))));
        }
        List<ByteBuf> p1Again = v.nextFrame();
        assertThat(RtpHeader.timestamp(p1Again.getFirst())).isEqualTo(last + 2 & 0xFFFF_FFFFL);
        // Rate limit: a second PLI right away changes nothing; the next live frame follows.
        v.sendRtcp(new ReceiverReport(0x1234, List.of()), new PictureLossIndication(0x1234, v.videoSsrc));
        Await.until("second PLI seen", () -> rig.whep.sessions().getFirst().pliReceived() == 2);
        sendFrame(66, false, 300);
        List<ByteBuf> live = v.nextFrame();
        assertThat(nalType(live.getFirst())).isEqualTo(1);
        assertThat(RtpHeader.timestamp(live.getFirst()) - last).isEqualTo(33 * 90);
        assertThat(rig.whep.sessions().getFirst().gopResends()).isEqualTo(1);
    }

    @Test
    void senderReportsMapRtpToWallclockAndReceiverReportsGiveTheRoundTripTime() throws Exception {
        Viewer v = new Viewer();
        List<ByteBuf> key = v.nextFrame();
        v.nextFrame();
        long before = System.currentTimeMillis();
        SenderReport sr = null;
        while (sr == null) {
            for (RtcpPacket p : v.nextRtcp()) {
                if (p instanceof SenderReport s && s.ssrc() == v.videoSsrc) {
                    sr = s;
                }
            }
        }
        long ntpMillis = NtpTime.toUnixMillis(sr.ntpTimestamp());
        assertThat(ntpMillis).isBetween(before - 2000, System.currentTimeMillis() + 10);
        assertThat(sr.packetCount()).isGreaterThanOrEqualTo(key.size());
        // The RTP time of "now" is near the live edge (within the time that passed, at 90 kHz).
        long sinceKey = sr.rtpTimestamp() - RtpHeader.timestamp(key.getFirst()) & 0xFFFF_FFFFL;
        assertThat(sinceKey).isLessThan(10L * 90_000);

        // RFC 3550 §6.4.1: a report block answering that SR, 150 ms after it arrived, of which the
        // browser says 50 ms were its own delay (DLSR): the RTT is the rest, about 100 ms.
        long received = System.nanoTime();
        Await.until("150 ms after the SR", () -> System.nanoTime() - received >= 150_000_000L);
        long lsr = NtpTime.compact(sr.ntpTimestamp());
        long dlsr = NtpTime.toCompactDuration(50_000_000L);
        v.sendRtcp(new ReceiverReport(0x1234, List.of(new ReportBlock(v.videoSsrc, 12, 3, 100, 40, lsr, dlsr))));
        Await.until("RTT measured", () -> rig.whep.sessions().getFirst().rttMillis() >= 0);
        long measuredBy = System.currentTimeMillis();
        WhepSessionStats stats = rig.whep.sessions().getFirst();
        assertThat(stats.videoFractionLost()).isEqualTo(12 / 256.0);
        assertThat(stats.videoCumulativeLost()).isEqualTo(3);
        assertThat(stats.videoJitter()).isEqualTo(40);
        // at least the 150 ms waited less the DLSR; at most all the time since the SR was stamped less the
        // DLSR (the SR may have waited in our queue: a fixed 1 s bound was a wall-clock guess)
        assertThat(stats.rttMillis()).isBetween(90L, measuredBy - ntpMillis - 50 + 1);
    }

    @Test
    void transportCcFeedbackOnTheSentPacketsGivesTheViewerABandwidthEstimate() throws Exception {
        Viewer v = new Viewer();
        int twccId = Integer.parseInt(group(v.answer,
                "^a=extmap:(\\d+) " + Pattern.quote(RtpHeaderExtensions.TRANSPORT_WIDE_CC_URI) + "\\s*$", 1));
        List<ByteBuf> packets = new ArrayList<>(v.nextFrame());
        packets.addAll(v.nextFrame());
        assertThat(rig.whep.sessions().getFirst().estimateBps()).as("no feedback yet").isEqualTo(-1);
        // The browser's side of draft-holmer-rmcat-transport-wide-cc-extensions-01: every packet
        // arrived, 1 ms apart; the feedback names them by the transport-wide numbers they carried.
        long origin = System.nanoTime();
        TransportCcRecorder recorder = new TransportCcRecorder(origin);
        int previous = -1;
        for (int i = 0; i < packets.size(); i++) {
            ByteBuf p = packets.get(i);
            ByteBuf ext = RtpHeaderExtensions.find(p, RtpHeader.parse(p), twccId);
            assertThat(ext).as("packet %d carries a transport-wide sequence number", i).isNotNull();
            int seq = ext.getUnsignedShort(ext.readerIndex());
            if (previous >= 0) {
                assertThat(seq).isEqualTo(previous + 1 & 0xFFFF);
            }
            previous = seq;
            recorder.record(seq, origin + i * 1_000_000L);
        }
        v.sendRtcp(new ReceiverReport(0x1234, List.of()), recorder.feedback(0x1234, v.videoSsrc));
        Await.until("the feedback gave an estimate", () -> rig.whep.sessions().getFirst().estimateBps() > 0);
        WhepSessionStats stats = rig.whep.sessions().getFirst();
        assertThat(stats.twccFeedbacks()).isEqualTo(1);
        assertThat(stats.twccNotReceived()).isZero();
        // GCC starts at 1 Mbps and nothing said over-use or loss: it holds or grows, within its bounds.
        assertThat(stats.estimateBps()).isBetween(1_000_000L, 20_000_000L);
        assertThat(stats.delayBasedBps()).isPositive();

        // A REMB bounds the estimate from then on.
        v.sendRtcp(new ReceiverReport(0x1234, List.of()),
                new ReceiverEstimatedMaxBitrate(0x1234, 300_000, new int[] {v.videoSsrc}));
        Await.until("the REMB bounds the estimate", () -> rig.whep.sessions().getFirst().estimateBps() == 300_000);
        // Sampled once a second per viewer into the metrics' distribution.
        Await.until("the estimate is in the metrics",
                () -> rig.registry.get("vireo.webrtc.bandwidth.estimate").summary().count() > 0);
        assertThat(rig.registry.get("vireo.webrtc.viewers.below.bitrate").gauge().value()).isNotNegative();
    }

    @Test
    void withoutTransportCcFeedbackTheRembIsTheEstimate() throws Exception {
        Viewer v = new Viewer();
        v.nextFrame();
        v.sendRtcp(new ReceiverReport(0x1234, List.of()),
                new ReceiverEstimatedMaxBitrate(0x1234, 450_000, new int[] {v.videoSsrc}));
        Await.until("the REMB is the estimate", () -> rig.whep.sessions().getFirst().estimateBps() == 450_000);
        // Receiver-report loss above 10 % cuts it (draft-ietf-rmcat-gcc-02 §6), REMB still the bound.
        v.sendRtcp(new ReceiverReport(0x1234, List.of(new ReportBlock(v.videoSsrc, 128, 50, 100, 40, 0, 0))));
        Await.until("heavy loss cuts the estimate", () -> rig.whep.sessions().getFirst().estimateBps() < 450_000);
        assertThat(rig.whep.sessions().getFirst().twccFeedbacks()).isZero();
    }

    @Test
    void withFecOnAPacedViewerGetsMediaThenFecInOrderAndItsSenderReportsGoOn() throws Exception {
        rig.whep.withFec(true);
        Viewer v = new Viewer();
        int twccId = Integer.parseInt(group(v.answer,
                "^a=extmap:(\\d+) " + Pattern.quote(RtpHeaderExtensions.TRANSPORT_WIDE_CC_URI) + "\\s*$", 1));
        int redPt = Integer.parseInt(group(v.answer, "^m=video \\d+ \\S+ \\d+ \\d+ (\\d+) (\\d+)", 1));
        int ulpfecPt = Integer.parseInt(group(v.answer, "^m=video \\d+ \\S+ \\d+ \\d+ (\\d+) (\\d+)", 2));
        v.nextFrame();
        v.nextFrame();
        // 10 % lost (RFC 3550 fraction 26/256) turns FEC on; a 100 kbps REMB makes the link short: paced
        v.sendRtcp(new ReceiverReport(0x1234, List.of(new ReportBlock(v.videoSsrc, 26, 1, 100, 0, 0, 0))),
                new ReceiverEstimatedMaxBitrate(0x1234, 100_000, new int[] {v.videoSsrc}));
        Await.until("FEC on", () -> rig.whep.sessions().getFirst().fecOn());
        long dts = sendUntilTheRateIsMeasured(v, 66);
        int reportsBefore = v.rtcp.size();
        sendFrame(dts, true, 30_000);
        // every packet of the stream in arrival order until the keyframe's FEC packets came
        List<ByteBuf> arrived = new ArrayList<>();
        long keyTimestamp = -1;
        int fecAfterKey = 0;
        boolean keyComplete = false;
        while (!keyComplete || fecAfterKey == 0) {
            ByteBuf p = v.nextRtp();
            if (RtpHeader.ssrc(p) != v.videoSsrc) {
                continue;
            }
            arrived.add(p);
            assertThat(RtpHeader.payloadType(p)).as("media and FEC in RED while FEC is on").isEqualTo(redPt);
            ByteBuf block = RtpHeader.parse(p).payload(p);
            boolean fec = (block.getUnsignedByte(block.readerIndex()) & 0x7F) == ulpfecPt;
            if (!fec && block.readableBytes() > 2 && (block.getUnsignedByte(block.readerIndex() + 1) & 0x1F) == 24) {
                keyTimestamp = RtpHeader.timestamp(p); // the keyframe's parameter sets (STAP-A)
            }
            if (keyTimestamp >= 0 && RtpHeader.timestamp(p) == keyTimestamp) {
                if (fec) {
                    // (the parameter sets in front, sent as a frame of their own, have their FEC before it)
                    fecAfterKey += keyComplete ? 1 : 0;
                } else if (RtpHeader.marker(p)) {
                    keyComplete = true;
                }
            }
        }
        for (int i = 1; i < arrived.size(); i++) {
            ByteBuf p = arrived.get(i);
            assertThat(RtpHeader.sequenceNumber(p)).as("media and FEC sequence numbers in arrival order")
                    .isEqualTo(RtpHeader.sequenceNumber(arrived.get(i - 1)) + 1 & 0xFFFF);
            ByteBuf ext = RtpHeaderExtensions.find(p, RtpHeader.parse(p), twccId);
            ByteBuf prev = RtpHeaderExtensions.find(arrived.get(i - 1), RtpHeader.parse(arrived.get(i - 1)), twccId);
            assertThat((ext.getUnsignedShort(ext.readerIndex()) - prev.getUnsignedShort(prev.readerIndex())) & 0xFFFF)
                    .as("transport-wide numbers increase in arrival order").isBetween(1, 100);
        }
        assertThat(rig.whep.sessions().getFirst().pacedPackets()).isPositive();
        // the session's report timer goes on: a sender report arrives after all that
        long reportDeadline = System.nanoTime() + 10_000_000_000L;
        while (v.rtcp.size() <= reportsBefore) {
            assertThat(System.nanoTime()).as("a sender report after the paced keyframe and its FEC")
                    .isLessThan(reportDeadline);
            sendFrame(dts += 33, false, 500);
            v.nextRtp();
        }
    }

    @Test
    void aPeerThatNacksItsAudioGetsTheLostPacketAgainExactlyAsSent() throws Exception {
        publication.send(MediaFrame.config(Codec.OPUS, 0, Unpooled.EMPTY_BUFFER));
        // Chromium offers no NACK on Opus; aiortc/pion-like peers may (RFC 4585 §4.2 on the Opus type)
        Viewer v = new Viewer("/live/demo/whep", offer -> offer.replace("a=rtcp-fb:111 transport-cc\r\n",
                "a=rtcp-fb:111 transport-cc\r\na=rtcp-fb:111 nack\r\n"));
        assertThat(v.answer).contains("a=rtcp-fb:111 nack");
        String audioSection = v.answer.substring(v.answer.indexOf("m=audio"));
        int audioSsrc = Integer.parseUnsignedInt(group(audioSection, "^a=ssrc:(\\d+) ", 1));
        // The client's DTLS ends before the server's session knows it is connected, and audio
        // before that is not sent: the GOP burst at connect says the session is live.
        v.nextRtpOf(v.videoSsrc, "the GOP burst at connect");
        for (int i = 0; i < 3; i++) {
            publication.send(MediaFrame.media(Codec.OPUS, 40 + 20L * i, 0, false,
                    Unpooled.wrappedBuffer(new byte[] {(byte) 0xfc, (byte) i, 1, 2, 3})));
        }
        // the audio packets as they came (still protected), by sequence number
        java.util.Map<Integer, byte[]> sent = new java.util.HashMap<>();
        while (sent.size() < 3) {
            byte[] d = v.nextRtpOf(audioSsrc, "audio from the server");
            sent.put(RtpHeader.sequenceNumber(Unpooled.wrappedBuffer(d)), d);
        }
        int lost = sent.keySet().stream().sorted().toList().get(1);
        v.sendRtcp(new ReceiverReport(0x1234, List.of()), new GenericNack(0x1234, audioSsrc, new int[] {lost}));
        byte[] again = null;
        while (again == null) {
            byte[] d = v.nextRtpOf(audioSsrc, "the resent audio packet");
            if (RtpHeader.sequenceNumber(Unpooled.wrappedBuffer(d)) == lost) {
                again = d;
            }
        }
        // byte for byte: one SRTP index never protects two different packets (RFC 7714 §8.1)
        assertThat(again).isEqualTo(sent.get(lost));
        ByteBuf plain = Unpooled.wrappedBuffer(again.clone());
        v.in.unprotectRtp(plain); // a valid packet of the stream
        WhepSessionStats stats = rig.whep.sessions().getFirst();
        assertThat(stats.audioNacksReceived()).isEqualTo(1);
        assertThat(stats.audioRetransmissions()).isEqualTo(1);

        // an index the history never had is not resent
        v.sendRtcp(new ReceiverReport(0x1234, List.of()),
                new GenericNack(0x1234, audioSsrc, new int[] {lost + 1000 & 0xFFFF}));
        Await.until("the second NACK is counted", () -> rig.whep.sessions().getFirst().audioNacksReceived() == 2);
        assertThat(rig.whep.sessions().getFirst().audioRetransmissions()).isEqualTo(1);
    }

    @Test
    void aViewerWhoseEstimateIsBelowItsSendRateGetsItsKeyframePacedInOrder() throws Exception {
        publication.send(MediaFrame.config(Codec.OPUS, 0, Unpooled.EMPTY_BUFFER));
        Viewer v = new Viewer();
        int twccId = Integer.parseInt(group(v.answer,
                "^a=extmap:(\\d+) " + Pattern.quote(RtpHeaderExtensions.TRANSPORT_WIDE_CC_URI) + "\\s*$", 1));
        List<ByteBuf> start = v.nextFrame();
        v.nextFrame();
        int lastSeq = RtpHeader.sequenceNumber(start.getLast());
        // The browser says 100 kbps (REMB, no transport-cc feedback); the stream sends more.
        v.sendRtcp(new ReceiverReport(0x1234, List.of()),
                new ReceiverEstimatedMaxBitrate(0x1234, 100_000, new int[] {v.videoSsrc}));
        long dts = sendUntilTheRateIsMeasured(v, 66);
        long pacedBefore = rig.whep.sessions().getFirst().pacedPackets();
        // Now a 30 KB keyframe: through the pacer, every packet, in order; audio sent meanwhile
        // leaves at once, ahead of the queued video.
        sendFrame(dts, true, 30_000);
        List<ByteBuf> arrived = new ArrayList<>();
        List<ByteBuf> key = new ArrayList<>();
        long audioPts = dts;
        while (key.isEmpty() || !RtpHeader.marker(key.getLast())) {
            ByteBuf p = v.nextRtp();
            arrived.add(p);
            if (RtpHeader.payloadType(p) != v.videoPt) {
                continue;
            }
            if (key.isEmpty() && nalType(p) != 24) {
                continue; // the frames before the keyframe's parameter sets
            }
            key.add(p);
            // an audio frame for each of the keyframe's packets that arrives: the rest are queued
            publication.send(MediaFrame.media(Codec.OPUS, audioPts, 0, false, Unpooled.wrappedBuffer(new byte[80])));
            audioPts += 20;
        }
        // draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: the transport-wide numbers follow
        // the order packets went on the wire, audio among the paced video, or the browser's
        // feedback reports the overtaken video lost
        int audioAmongVideo = 0;
        int previousTwcc = -1;
        int firstKey = arrived.indexOf(key.getFirst());
        for (int i = 0; i < arrived.size(); i++) {
            ByteBuf p = arrived.get(i);
            ByteBuf ext = RtpHeaderExtensions.find(p, RtpHeader.parse(p), twccId);
            int seq = ext.getUnsignedShort(ext.readerIndex());
            if (previousTwcc >= 0) {
                assertThat(seq).as("transport-wide number in arrival order").isEqualTo(previousTwcc + 1 & 0xFFFF);
            }
            previousTwcc = seq;
            if (i > firstKey && RtpHeader.payloadType(p) != v.videoPt) {
                audioAmongVideo++;
            }
        }
        assertThat(audioAmongVideo).as("audio packets that left while the keyframe was queued").isPositive();
        for (int i = 1; i < key.size(); i++) {
            assertThat(RtpHeader.sequenceNumber(key.get(i))).isEqualTo(RtpHeader.sequenceNumber(key.get(i - 1)) + 1 & 0xFFFF);
        }
        int payload = 0;
        for (int i = 1; i < key.size(); i++) {
            payload += RtpHeader.parse(key.get(i)).payload(key.get(i)).readableBytes();
        }
        assertThat(payload).as("the keyframe's FU-A fragments carry all of it").isGreaterThan(30_000);
        assertThat(rig.whep.sessions().getFirst().pacedPackets() - pacedBefore).isGreaterThanOrEqualTo(key.size() - 1);
        assertThat(lastSeq).isNotNegative();
    }

    @Test
    void aViewerWhoseEstimateStaysBelowItsStreamMovesToTheLowerRenditionAtItsKeyframe() throws Exception {
        StreamKey lowKey = StreamKey.of("live", "demo_lld");
        Publication low = hub.publish(lowKey, "test-rendition", reason -> { });
        try {
            ByteBuf record = Unpooled.buffer();
            AvcDecoderConfigurationRecord.of(SPS, PPS).write(record);
            low.send(MediaFrame.config(Codec.H264, 0, record));
            rig.whep.withLadder((access, key) -> List.of(new Rendition(lowKey, "lld", 100_000)));
            Viewer v = new Viewer();
            v.nextFrame();
            v.nextFrame();
            // Everything the viewer gets from now on, in arrival order, read on another thread.
            List<ByteBuf> got = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicInteger frames = new java.util.concurrent.atomic.AtomicInteger();
            // Sequence numbers filled by empty RTX packets (only the original sequence number, RFC 4588 §4).
            java.util.Set<Integer> filled = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        ByteBuf p = v.nextRtp();
                        if (RtpHeader.ssrc(p) == v.rtxSsrc) {
                            ByteBuf payload = RtpHeader.parse(p).payload(p);
                            if (payload.readableBytes() == 2) {
                                filled.add(payload.getUnsignedShort(payload.readerIndex()));
                            }
                        }
                        if (RtpHeader.ssrc(p) == v.videoSsrc) {
                            got.add(p);
                            if (RtpHeader.marker(p)) {
                                frames.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    // the test ended (socket closed) or nothing more came
                }
            });
            long dts = 66;
            long deadline = System.nanoTime() + 20_000_000_000L;
            int n = 0;
            while (!"lld".equals(rig.whep.sessions().getFirst().rendition())) {
                assertThat(System.nanoTime()).as("the viewer moves to lld within 20 s").isLessThan(deadline);
                int before = frames.get();
                // The source at 2000-byte frames (several packets each), the rendition at 300 bytes
                // (one packet), a keyframe every 5 frames; the browser says 50 kbps (REMB).
                sendFrame(dts, false, 2000);
                sendLow(low, dts, n % 5 == 0, 300);
                v.sendRtcp(new ReceiverReport(0x1234, List.of()),
                        new ReceiverEstimatedMaxBitrate(0x1234, 50_000, new int[] {v.videoSsrc}));
                Await.until("a frame reaches the viewer", () -> frames.get() > before);
                dts += 33;
                n++;
            }
            WhepSessionStats stats = rig.whep.sessions().getFirst();
            assertThat(stats.renditionSwitches()).isEqualTo(1);
            // Three more rendition frames: the viewer gets them, and no more of the source.
            for (int i = 0; i < 3; i++, dts += 33) {
                int before = frames.get();
                sendFrame(dts, false, 2000);
                sendLow(low, dts, false, 300);
                Await.until("a rendition frame reaches the viewer", () -> frames.get() > before);
            }
            reader.interrupt();
            List<ByteBuf> packets;
            synchronized (got) {
                packets = new ArrayList<>(got);
            }
            // The switch: the rendition's parameter sets (STAP-A) then its keyframe (one NAL, 300
            // bytes), right after the source's last packet: sequence numbers and timestamps go on.
            // Source packets still paced at the switch were dropped, each number filled by an
            // empty RTX packet, so the receiver sees no gap.
            int stap = -1;
            for (int i = packets.size() - 1; i >= 0; i--) {
                if (nalType(packets.get(i)) == 24) {
                    stap = i;
                    break;
                }
            }
            assertThat(stap).as("the rendition's parameter sets were sent").isPositive();
            ByteBuf key = packets.get(stap + 1);
            assertThat(nalType(key)).isEqualTo(5);
            assertThat(RtpHeader.parse(key).payload(key).readableBytes()).isEqualTo(300);
            ByteBuf last = packets.get(stap - 1);
            assertThat(nalType(last)).as("the source's last packet before the switch").isEqualTo(28);
            for (int seq = RtpHeader.sequenceNumber(last) + 1; (seq & 0xFFFF) != RtpHeader.sequenceNumber(packets.get(stap));
                 seq++) {
                assertThat(filled).as("sequence number %d (dropped at the switch) filled", seq & 0xFFFF)
                        .contains(seq & 0xFFFF);
            }
            assertThat(stats.nacksOfPreviousRendition()).isZero();
            long step = RtpHeader.timestamp(key) - RtpHeader.timestamp(last) & 0xFFFF_FFFFL;
            assertThat(step).as("the timestamp goes on, by about a frame").isBetween(1L, 90_000L);
            for (ByteBuf p : packets.subList(stap + 1, packets.size())) {
                assertThat(nalType(p)).as("only the rendition's single-NAL frames after the switch").isIn(1, 5);
            }
        } finally {
            low.close();
        }
    }

    /** A frame of one NAL unit for another publication (a rendition). */
    private static void sendLow(Publication to, long dts, boolean key, int size) {
        ByteBuf au = Unpooled.buffer(size + 4);
        au.writeInt(size).writeByte(key ? 0x65 : 0x41);
        for (int i = 1; i < size; i++) {
            au.writeByte((int) (dts + i));
        }
        to.send(MediaFrame.media(Codec.H264, dts, 0, key, au));
    }

    @Test
    void theStreamEndingEndsTheSession() throws Exception {
        Viewer v = new Viewer();
        v.nextFrame();
        hub.kick(KEY, "test over");
        Await.until(Duration.ofSeconds(10), "the session ends with the stream", () -> rig.whep.sessions().isEmpty());
        assertThat(rig.rtc.stats().sessions()).isZero();
        assertThat(send("DELETE", v.location, null, null, null).statusCode()).isEqualTo(404);
    }

    // ---- interop fixes found with a pion-based WHEP client ----

    @Test
    void aViewerOfAVariantStillStartingGetsOpusAudioAndItsLocationEndsTheSession() throws Exception {
        // the source gets AAC audio: its viewers play the browser variant, whose audio is always Opus
        publication.send(MediaFrame.config(Codec.AAC, 0,
                Unpooled.wrappedBuffer(dev.vireo.media.aac.AudioSpecificConfig.of(2, 4, 2))));
        StreamKey variant = StreamKey.of("live", "demo@html5");
        rig.whep.withBrowserVariant((request, stream) -> stream.key().equals(KEY) ? java.util.Optional.of(variant)
                : java.util.Optional.empty());
        // the variant's job has started and sent its video, not yet its audio
        Publication job = hub.publishDerived(variant, "job", reason -> { });
        try {
            ByteBuf record = Unpooled.buffer();
            AvcDecoderConfigurationRecord.of(SPS, PPS).write(record);
            job.send(MediaFrame.config(Codec.H264, 0, record));
            HttpResponse<String> r = post("/live/demo/whep", "application/sdp", offerOf(browser()));
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.body()).doesNotContainPattern("m=audio 0 ").contains("opus/48000/2");
            assertThat(rig.whep.sessions()).singleElement()
                    .satisfies(st -> assertThat(st.stream()).isEqualTo("/live/demo@html5"));
            String location = r.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("/live/demo/whep/");
            assertThat(send("DELETE", location, null, null, null).statusCode()).isEqualTo(200);
            Await.until(Duration.ofSeconds(5), "the session ends", () -> rig.whep.sessions().isEmpty());
            assertThat(rig.rtc.stats().sessions()).isZero();
        } finally {
            job.close();
        }
    }

    @Test
    void aRejectedSectionKeepsTheRtpmapOfItsFormatForStrictParsers() throws Exception {
        HttpResponse<String> r = post("/live/demo/whep", "application/sdp", offerOf(browser()));
        assertThat(r.statusCode()).isEqualTo(201);
        // video only: the audio section is rejected, and its one format is still mapped
        Matcher m = Pattern.compile("m=audio 0 (\\S+) (\\d+)\r\n((?:[a-z]=.*\r\n)*?)(?=m=|$)").matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        assertThat(m.group(3)).contains("a=rtpmap:" + m.group(2) + " ", "a=inactive", "a=ice-ufrag:", "a=ice-pwd:",
                "a=fingerprint:", "a=setup:passive", "a=rtcp-mux");
    }
}
