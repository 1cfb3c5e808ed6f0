package dev.vireo.server;

import dev.vireo.control.diagnose.Finding;
import dev.vireo.webrtc.ice.ProbeCredentials;
import dev.vireo.webrtc.WebRtcServer;
import dev.vireo.webrtc.sdp.SdpCandidate;
import dev.vireo.webrtc.stun.StunAttribute;
import dev.vireo.webrtc.stun.StunClass;
import dev.vireo.webrtc.stun.StunMessage;
import dev.vireo.webrtc.stun.StunMessageBuilder;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The troubleshooter's WebRTC checks: which ICE candidates a browser gets in a WHEP/WHIP answer,
 * and whether the media port really answers a STUN Binding request on each UDP candidate (one
 * request per candidate, sent from this server with the port's {@link ProbeCredentials}, so the
 * port answers it like a session's check). Blocking, up to {@link #TIMEOUT} per candidate: call
 * it on a virtual thread.
 */
final class RtcReachability {

    static final Duration TIMEOUT = Duration.ofMillis(1_000);

    private final WebRtcServer rtc;
    private final SecureRandom random = new SecureRandom();

    RtcReachability(WebRtcServer rtc) {
        this.rtc = rtc;
    }

    List<Finding> check() {
        List<SdpCandidate> candidates = rtc.candidates();
        List<Finding> out = new ArrayList<>();
        if (candidates.isEmpty()) {
            out.add(new Finding("RtcNoCandidates", "error", "WHEP and WHIP answers carry no ICE candidate",
                    "Set rtc.candidates (VIREO_RTC_CANDIDATES) to the address browsers reach this server on."));
            return out;
        }
        String listed = candidates.stream().map(RtcReachability::describe).collect(Collectors.joining(", "));
        boolean allLoopback = candidates.stream().allMatch(c -> isLoopback(c.address()));
        out.add(allLoopback
                ? new Finding("RtcCandidatesLoopback", "warn", "A browser gets only loopback ICE candidates: " + listed,
                        "Only a browser on this machine can connect. Set rtc.candidates (VIREO_RTC_CANDIDATES) to the "
                                + "server's LAN or public address.")
                : new Finding("RtcCandidates", "ok", "A browser gets these ICE candidates: " + listed, null));
        for (SdpCandidate c : candidates) {
            if (!c.transport().equals("udp")) {
                continue;
            }
            long ms = probe(new InetSocketAddress(c.address(), c.port()));
            out.add(ms >= 0
                    ? new Finding("RtcPortAnswers", "ok", "The media port answered a STUN Binding request on udp "
                            + c.address() + ":" + c.port() + " in " + ms + " ms (sent from the server itself)", null)
                    : new Finding("RtcPortSilent", "error", "No answer to a STUN Binding request on udp " + c.address()
                            + ":" + c.port() + " within " + TIMEOUT.toMillis() + " ms (sent from the server itself)",
                            "Check that the address is this server's and that UDP port " + c.port()
                                    + " is open in the firewall; players fall back to HTTP-FLV when WebRTC cannot connect."));
        }
        return out;
    }

    /** Milliseconds until a valid answer came, or -1 for none (timeout, unreachable, wrong reply). */
    long probe(InetSocketAddress target) {
        ProbeCredentials creds = rtc.probeCredentials();
        byte[] tid = new byte[StunMessage.TRANSACTION_ID_SIZE];
        random.nextBytes(tid);
        byte[] request = new StunMessageBuilder(StunMessage.BINDING, StunClass.REQUEST, tid)
                .add(new StunAttribute.Username(creds.ufrag() + ":diagnose"))
                .integrity(creds.password().getBytes(StandardCharsets.UTF_8))
                .fingerprint()
                .toBytes();
        long start = System.nanoTime();
        long deadline = start + TIMEOUT.toNanos();
        try (DatagramSocket socket = new DatagramSocket(0, wildcardFor(target.getAddress()))) {
            socket.send(new DatagramPacket(request, request.length, target));
            byte[] buf = new byte[StunMessage.MAX_SIZE];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return -1;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket reply = new DatagramPacket(buf, buf.length);
                socket.receive(reply);
                if (answers(Arrays.copyOf(reply.getData(), reply.getLength()), tid, creds)) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            }
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean answers(byte[] datagram, byte[] tid, ProbeCredentials creds) {
        try {
            StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(datagram));
            return m.messageClass() == StunClass.SUCCESS_RESPONSE && Arrays.equals(m.transactionId(), tid)
                    && m.verifyIntegrity(creds.password().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) { // StunException included: not a valid answer
            return false;
        }
    }

    private static InetAddress wildcardFor(InetAddress target) throws IOException {
        return InetAddress.getByName(target instanceof java.net.Inet6Address ? "::" : "0.0.0.0");
    }

    private static String describe(SdpCandidate c) {
        return c.transport() + " " + c.address() + ":" + c.port() + " " + c.type()
                + (c.tcpType() == null ? "" : " " + c.tcpType());
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
