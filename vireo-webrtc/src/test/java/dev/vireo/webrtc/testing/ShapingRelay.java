package dev.vireo.webrtc.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay in front of a server's WebRTC media port that impairs the traffic like a real
 * network (netem is not available on the test machines): per direction a {@link LinkModel} with
 * random and burst loss, a bandwidth cap with a queue, delay and jitter that reorders. The server
 * advertises the relay's address as its candidate; each peer address gets its own upstream socket.
 *
 * <p>Loss applies to RTP only (RFC 7983: first byte 128..191 and not an RTCP packet type), so ICE,
 * DTLS and RTCP feedback get through and only media is lost, as in the loss tests; the bandwidth
 * cap and the delays apply to everything. SRTP leaves the RTP header in the clear, so the relay
 * remembers each (SSRC, sequence number) it dropped and counts the ones that come through later
 * (retransmissions answering NACKs), and counts packets per payload type (RTX has its own).
 * {@link #cut()} drops everything from then on, as a peer whose network went away.
 */
public final class ShapingRelay implements AutoCloseable {

    /** Which way a packet goes. */
    public enum Direction {
        /** From the peers (browser, publisher) to the server. */
        TO_SERVER,
        /** From the server to the peers. */
        TO_PEER
    }

    /** What happened to one direction's packets so far. */
    public static final class Counters {
        private final AtomicLong rtpPassed = new AtomicLong();
        private final AtomicLong rtpDropped = new AtomicLong();
        private final AtomicLong queueDropped = new AtomicLong();
        private final AtomicLong retransmissions = new AtomicLong();
        private final Set<Long> dropped = ConcurrentHashMap.newKeySet();
        private final Map<Integer, AtomicLong> byPayloadType = new ConcurrentHashMap<>();
        private final Map<Integer, FrameGaps> frameGaps = new ConcurrentHashMap<>();
        /** The relay's own delay beyond the link model's: receive to send, or late against the model's departure. */
        private final AtomicLong maxOwnDelayNanos = new AtomicLong();

        private static final class FrameGaps {
            long lastTimestamp = -1;
            long lastFrameNanos;
            long longestNanos;
        }

        /** RTP packets let through. */
        public long rtpPassed() {
            return rtpPassed.get();
        }

        /** RTP packets lost on purpose (random and burst loss). */
        public long rtpDropped() {
            return rtpDropped.get();
        }

        /** Packets dropped at the full bottleneck queue. */
        public long queueDropped() {
            return queueDropped.get();
        }

        /** RTP packets that were dropped once and came through later with the same SSRC and sequence number. */
        public long retransmissionsArrived() {
            return retransmissions.get();
        }

        /**
         * The longest time between two frames of this payload type as the sender emitted them (the
         * first packet of each new RTP timestamp, counted before the link drops anything) since the
         * last {@link #resetFrameGaps()}, in ms; 0 before two frames. What the sender itself paused,
         * to compare a receiver's freezes with.
         */
        public double longestFrameGapMillis(int payloadType) {
            FrameGaps g = frameGaps.get(payloadType);
            return g == null ? 0 : g.longestNanos / 1e6;
        }

        /**
         * The longest the relay itself held a packet beyond what its link model asked (from its
         * receive returning to its send, or the send's lateness against the model's departure
         * time) since the last {@link #resetFrameGaps()}, in ms: the relay's own stalls, to
         * tell from the link's and the peers' (it should stay at a few ms even on a loaded machine).
         */
        public double longestOwnDelayMillis() {
            return maxOwnDelayNanos.get() / 1e6;
        }

        private void ownDelay(long nanos) {
            maxOwnDelayNanos.accumulateAndGet(nanos, Math::max);
        }

        /** Starts a new window for {@link #longestFrameGapMillis} and {@link #longestOwnDelayMillis}. */
        public void resetFrameGaps() {
            maxOwnDelayNanos.set(0);
            frameGaps.values().forEach(g -> {
                synchronized (g) {
                    g.longestNanos = 0;
                }
            });
        }

        private void emitted(byte[] p, long nowNanos) {
            FrameGaps g = frameGaps.computeIfAbsent(p[1] & 0x7f, k -> new FrameGaps());
            long ts = (p[4] & 0xffL) << 24 | (p[5] & 0xff) << 16 | (p[6] & 0xff) << 8 | p[7] & 0xff;
            synchronized (g) {
                if (g.lastTimestamp == ts) {
                    return;
                }
                if (g.lastTimestamp >= 0 && (int) (ts - g.lastTimestamp) > 0) { // a newer frame, not a resend
                    g.longestNanos = Math.max(g.longestNanos, nowNanos - g.lastFrameNanos);
                }
                if (g.lastTimestamp < 0 || (int) (ts - g.lastTimestamp) > 0) {
                    g.lastTimestamp = ts;
                    g.lastFrameNanos = nowNanos;
                }
            }
        }

        /**
         * {@link #longestFrameGapMillis} of the payload type with the most packets let through
         * (the video's, plain or in RED), 0 before any.
         */
        public double longestVideoFrameGapMillis() {
            return byPayloadType.entrySet().stream().max(Map.Entry.comparingByValue(
                            java.util.Comparator.comparingLong(AtomicLong::get)))
                    .map(e -> longestFrameGapMillis(e.getKey())).orElse(0.0);
        }

        /** RTP packets of this payload type let through (e.g. the RTX type of an answer). */
        public long passed(int payloadType) {
            AtomicLong n = byPayloadType.get(payloadType);
            return n == null ? 0 : n.get();
        }
    }

    private final DatagramSocket front;
    private final LinkModel toServer;
    private final LinkModel toPeer;
    private final Counters toServerCounters = new Counters();
    private final Counters toPeerCounters = new Counters();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "shaping-relay");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        return t;
    });
    /** Socket buffers: a keyframe burst must wait in the kernel, not be dropped there, while a loaded machine delays the relay. */
    private static final int SOCKET_BUFFER = 4 << 20;
    private final ConcurrentHashMap<InetSocketAddress, DatagramSocket> upstreams = new ConcurrentHashMap<>();
    /** Links towards single peers ({@link #impairPeer}), in place of the shared {@link #toPeer}. */
    private final ConcurrentHashMap<InetSocketAddress, LinkModel> ownLinks = new ConcurrentHashMap<>();
    private volatile InetSocketAddress server;
    private volatile boolean cut;

    public ShapingRelay(LinkModel.Impairment toServer, LinkModel.Impairment toPeer, long seed) throws SocketException {
        this.front = socket();
        this.toServer = new LinkModel(toServer, seed);
        this.toPeer = new LinkModel(toPeer, seed * 31 + 7);
        // platform threads: a virtual one waits for a free carrier after the poller woke it, a
        // second hop a loaded JVM (the server's own threads beside it) turns into stalls
        relayThread("relay-front", this::fromPeers);
    }

    private static DatagramSocket socket() throws SocketException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setReceiveBufferSize(SOCKET_BUFFER);
        s.setSendBufferSize(SOCKET_BUFFER);
        return s;
    }

    private static void relayThread(String name, Runnable loop) {
        Thread t = Thread.ofPlatform().name(name).daemon().unstarted(loop);
        t.setPriority(Thread.MAX_PRIORITY);
        t.start();
    }

    /** The port the server advertises (the relay's front socket on loopback). */
    public int port() {
        return front.getLocalPort();
    }

    /** Where the relay forwards to: the server's media port on loopback. */
    public void target(int serverPort) {
        server = new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort);
    }

    /** From now on {@code direction} impairs as {@code impairment} says (e.g. its bandwidth cap lifted). */
    public void impair(Direction direction, LinkModel.Impairment impairment) {
        LinkModel link = direction == Direction.TO_SERVER ? toServer : toPeer;
        synchronized (link) {
            link.impairment(impairment);
        }
    }

    /**
     * From now on the link towards one peer alone impairs as {@code impairment} says, the others
     * keep the shared {@link Direction#TO_PEER} link: a viewer on a slow link while a publisher's
     * feedback, through the same relay, is not on it. {@code atServer} is the peer's address as
     * the server sees it (the relay's socket for that peer).
     */
    public void impairPeer(InetSocketAddress atServer, LinkModel.Impairment impairment) {
        InetSocketAddress peer = upstreams.entrySet().stream()
                .filter(e -> e.getValue().getLocalPort() == atServer.getPort()).map(java.util.Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no peer relayed as " + atServer));
        ownLinks.put(peer, new LinkModel(impairment, peer.getPort()));
    }

    /** From now on nothing passes either way (the peers vanish without a word). */
    public void cut() {
        cut = true;
    }

    public Counters counters(Direction direction) {
        return direction == Direction.TO_SERVER ? toServerCounters : toPeerCounters;
    }

    private void fromPeers() {
        byte[] buf = new byte[2048];
        while (!front.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                front.receive(p);
            } catch (IOException e) {
                return;
            }
            InetSocketAddress peer = (InetSocketAddress) p.getSocketAddress();
            DatagramSocket up = upstreams.computeIfAbsent(peer, this::openUpstream);
            InetSocketAddress to = server;
            if (up != null && to != null) {
                pass(Arrays.copyOf(buf, p.getLength()), toServer, toServerCounters, up, to);
            }
        }
    }

    private DatagramSocket openUpstream(InetSocketAddress peer) {
        try {
            DatagramSocket up = socket();
            relayThread("relay-up", () -> toPeer(up, peer));
            return up;
        } catch (SocketException e) {
            return null;
        }
    }

    private void toPeer(DatagramSocket up, InetSocketAddress peer) {
        byte[] buf = new byte[2048];
        while (!up.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                up.receive(p);
            } catch (IOException e) {
                return;
            }
            pass(Arrays.copyOf(buf, p.getLength()), ownLinks.getOrDefault(peer, toPeer), toPeerCounters, front, peer);
        }
    }

    private void pass(byte[] packet, LinkModel link, Counters counters, DatagramSocket via, InetSocketAddress to) {
        if (cut) {
            return;
        }
        boolean rtp = isRtp(packet);
        long now = System.nanoTime();
        if (rtp) {
            counters.emitted(packet, now);
        }
        LinkModel.Fate fate;
        synchronized (link) {
            fate = link.offer(packet.length, rtp, now);
        }
        if (!fate.delivered()) {
            if (fate.drop() == LinkModel.Drop.QUEUE_FULL) {
                counters.queueDropped.incrementAndGet();
            } else {
                counters.rtpDropped.incrementAndGet();
                counters.dropped.add(rtpId(packet));
            }
            return;
        }
        if (rtp) {
            counters.rtpPassed.incrementAndGet();
            counters.byPayloadType.computeIfAbsent(packet[1] & 0x7f, k -> new AtomicLong()).incrementAndGet();
            if (counters.dropped.remove(rtpId(packet))) {
                counters.retransmissions.incrementAndGet();
            }
        }
        long departure = fate.departureNanos();
        long wait = departure - now;
        if (wait <= 0) {
            send(via, packet, to);
            counters.ownDelay(System.nanoTime() - now);
        } else {
            timer.schedule(() -> {
                send(via, packet, to);
                counters.ownDelay(System.nanoTime() - departure);
            }, wait, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Datagrams the kernel dropped at the relay's sockets because their receive buffer was full
     * (the {@code drops} column of {@code /proc/net/udp} for their ports; -1 where that file is
     * not readable): loss the link model did not decide.
     */
    public long kernelDrops() {
        Set<Integer> ports = new java.util.HashSet<>();
        ports.add(front.getLocalPort());
        upstreams.values().forEach(u -> ports.add(u.getLocalPort()));
        try {
            long drops = 0;
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/udp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 13 || !f[1].contains(":")) {
                    continue;
                }
                int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                if (ports.contains(port)) {
                    drops += Long.parseLong(f[f.length - 1]);
                }
            }
            return drops;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private void send(DatagramSocket via, byte[] packet, InetSocketAddress to) {
        if (cut) {
            return;
        }
        try {
            via.send(new DatagramPacket(packet, packet.length, to));
        } catch (IOException e) {
            // closed: the test is over
        }
    }

    /** RFC 7983: 128..191 is RTP or RTCP; RTCP by its packet type 192..223 (RFC 5761 §4). */
    static boolean isRtp(byte[] p) {
        if (p.length < 12) {
            return false;
        }
        int b0 = p[0] & 0xff;
        int b1 = p[1] & 0xff;
        return b0 >= 128 && b0 <= 191 && !(b1 >= 192 && b1 <= 223);
    }

    /** SSRC and sequence number, from the RTP header (in the clear under SRTP). */
    private static long rtpId(byte[] p) {
        long ssrc = (p[8] & 0xffL) << 24 | (p[9] & 0xff) << 16 | (p[10] & 0xff) << 8 | p[11] & 0xff;
        return ssrc << 16 | (p[2] & 0xff) << 8 | p[3] & 0xff;
    }

    @Override
    public void close() {
        cut = true;
        front.close();
        upstreams.values().forEach(DatagramSocket::close);
        timer.shutdownNow();
    }
}
