#!/usr/bin/env python3
"""Writes the seed corpora of the session-11 fuzz targets from the real vectors (issue 17).

Run from the repository root: python3 vireo-media/src/test/resources/vectors/fuzz-seeds.py
Sources: ffmpeg's H.264/AAC FLV and HEVC/Opus vectors (this folder, generate.sh), ffmpeg's Opus
and H.264 RTP packets (RtpJazzerTestInputs), x264's Annex B stream (vireo-webrtc rtp/), libsrtp's
SRTP/SRTCP test vectors. Each target's test class documents its input layout.
"""
import os
import struct

V = "vireo-media/src/test/resources/vectors/"
RTP_SEEDS = "vireo-webrtc/src/test/resources/dev/vireo/webrtc/rtp/RtpJazzerTestInputs/receive/"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(bytes(data))


def flv_tags(path):
    """(type, dts ms, body) of every tag."""
    d = read(path)
    pos = 13
    while pos + 11 <= len(d):
        t = d[pos]
        size = int.from_bytes(d[pos + 1:pos + 4], "big")
        ts = int.from_bytes(d[pos + 4:pos + 7], "big") | d[pos + 7] << 24
        yield t, ts, d[pos + 11:pos + 11 + size]
        pos += 11 + size + 4


def flv_frames(path):
    """(kind, dts, cts, keyframe, payload): kind vc/v/ac/a/data, payload as the hub holds it."""
    for t, ts, body in flv_tags(path):
        if t == 9 and body[0] & 0x0F == 7:
            cts = int.from_bytes(body[2:5], "big", signed=True)
            yield ("vc" if body[1] == 0 else "v"), ts, cts, body[0] >> 4 == 1, body[5:]
        elif t == 8 and body[0] >> 4 == 10:
            yield ("ac" if body[1] == 0 else "a"), ts, 0, False, body[2:]
        elif t == 18:
            yield "data", ts, 0, False, body


def rtp_packets(path):
    d = read(path)
    i = 0
    while i + 2 <= len(d):
        n = int.from_bytes(d[i:i + 2], "big")
        yield d[i + 2:i + 2 + n]
        i += 2 + n


def u16(v):
    return struct.pack(">H", v & 0xFFFF)


def s16(v):
    assert -32768 <= v <= 32767, v
    return struct.pack(">h", v)


FLV = list(flv_frames(V + "h264_aac.flv"))
OPUS = [p[12:] for p in rtp_packets(RTP_SEEDS + "ffmpeg-opus-rtp")]
HVCC = read(V + "hevc_main.hvcC")
HEVC_KEY = read(V + "hevc_main_keyframe.bin")
OPUS_HEAD = read(V + "opus_stereo.OpusHead")


# ---- TsMuxerJazzerTest: codecs byte, then flags, dts delta (90 kHz), cts (x 10 ms), length, payload
def ts_record(flags, delta, cts, payload):
    return bytes([flags]) + s16(delta) + struct.pack(">b", max(-128, min(127, round(cts / 10)))) \
        + u16(len(payload)) + payload


def ts_seed(codecs, frames):
    out = bytearray([codecs])
    last = 0
    for kind, dts, cts, key, payload in frames:
        if kind == "data":
            continue
        flags = (1 if kind in ("a", "ac") else 0) | (2 if kind in ("vc", "ac") else 0) | (4 if key else 0)
        out += ts_record(flags, (dts - last) * 90, cts, payload)
        last = dts
    return out


TS = "vireo-media/src/test/resources/dev/vireo/media/ts/TsMuxerJazzerTestInputs/mux/"
write(TS + "ffmpeg-h264-aac", ts_seed(0, FLV[:30]))
write(TS + "ffmpeg-aac-only", ts_seed(2, [f for f in FLV if f[0] in ("a", "ac")][:12]))
hevc_opus = [("vc", 0, 0, False, HVCC), ("ac", 0, 0, False, OPUS_HEAD), ("v", 0, 0, True, HEVC_KEY)]
hevc_opus += [("a", 20 * i, 0, False, p) for i, p in enumerate(OPUS[:6])]
write(TS + "ffmpeg-hevc-opus", ts_seed(4, hevc_opus))


# ---- Fmp4PackerJazzerTest: choice, configs, fragments of (counts, frames..., end delta)
def fmp4_seed(choice, vconfig, aconfig, gops):
    out = bytearray([choice])
    if vconfig is not None:
        out += u16(len(vconfig)) + vconfig
    if aconfig is not None:
        out += u16(len(aconfig)) + aconfig
    dts = 0
    for video, audio, end in gops:
        out.append(len(video) | len(audio) << 4)
        for f_dts, cts, key, payload in video + audio:
            out += bytes([1 if key else 0]) + s16(f_dts - dts) + struct.pack(">i", cts)[1:] + u16(len(payload)) + payload
            dts = f_dts
        out += s16(end - dts)
    return out


def gops(frames, size):
    video = [(d, c, k, p) for kind, d, c, k, p in frames if kind == "v"]
    audio = [(d, c, k, p) for kind, d, c, k, p in frames if kind == "a"]
    out = []
    for i in range(0, len(video), size):
        v = video[i:i + size]
        end = video[i + size][0] if i + size < len(video) else v[-1][0] + 33
        a = [f for f in audio if v[0][0] <= f[0] < end][:15]
        out.append((v, a, end))
    return out


AVCC = next(f[4] for f in FLV if f[0] == "vc")
ASC = next(f[4] for f in FLV if f[0] == "ac")
FMP4 = "vireo-core/src/test/resources/dev/vireo/core/fmp4/Fmp4PackerJazzerTestInputs/fragments/"
write(FMP4 + "ffmpeg-h264-aac-gops", fmp4_seed(0, AVCC, ASC, gops(FLV, 10)[:2]))
write(FMP4 + "ffmpeg-h264-aac-parts", fmp4_seed(0, AVCC, ASC, gops(FLV, 3)[:4]))
write(FMP4 + "ffmpeg-hevc-opus", fmp4_seed(1 | 1 << 2, HVCC, OPUS_HEAD,
                                          [([(0, 0, True, HEVC_KEY)], [(20 * i, 0, False, p) for i, p in enumerate(OPUS[:6])], 120)]))
write(FMP4 + "ffmpeg-opus-no-head", fmp4_seed(3 | 2 << 2, None, None,
                                             [([], [(20 * i, 0, False, p) for i, p in enumerate(OPUS[:8])], 0)]))


# ---- SrtpJazzerTest: profile, ops
def hx(s):
    return bytes.fromhex(s)


def srtp_sender(op, seq, ssrc_choice, body, mutation=0, at=0):
    return bytes([op]) + u16(seq) + bytes([ssrc_choice, len(body)]) + body + bytes([mutation]) + u16(at)


def srtp_raw(op, packet):
    return bytes([op]) + u16(len(packet)) + packet


H264_RTP = list(rtp_packets(RTP_SEEDS + "ffmpeg-h264-rtp"))
bodies = [p[12:12 + 200] for p in H264_RTP[:3]]
SRTP = "vireo-webrtc/src/test/resources/dev/vireo/webrtc/srtp/SrtpJazzerTestInputs/unprotect/"
cm = bytearray([0])
cm += srtp_raw(2, hx("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb"))
cm += srtp_raw(3, hx("81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798"))
gcm = bytearray([2])
gcm += srtp_raw(2, hx("800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392"))
gcm += srtp_raw(3, hx("81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001"))
for seed in (cm, gcm):
    seed += srtp_sender(0, 1000, 1, bodies[0])
    seed += srtp_sender(0x10, 1001, 1, bodies[1])
    seed += srtp_sender(0, 1002, 1, bodies[2], mutation=1 | 3 << 2, at=40)
    seed += srtp_sender(0, 1002, 1, bodies[2], mutation=2, at=30)
    seed += srtp_sender(0, 1002, 1, bodies[2], mutation=3)
    seed += srtp_sender(1, 0, 2, bytes(range(24)))
    seed += srtp_sender(0x11, 0, 2, bytes(range(24)), mutation=1, at=9)
    seed += srtp_sender(1, 0, 2, bytes(range(24)), mutation=3)
    seed += srtp_sender(0, 65535, 3, bodies[0])
    seed += srtp_sender(0, 0, 3, bodies[1])
write(SRTP + "libsrtp-aes-cm-vectors-and-ffmpeg-rtp", cm)
write(SRTP + "libsrtp-aes-gcm-vectors-and-ffmpeg-rtp", gcm)
hmac32 = bytearray([1]) + srtp_sender(0, 7, 0, bodies[0]) + srtp_sender(1, 0, 0, bytes(16), mutation=2, at=20)
write(SRTP + "hmac-sha1-32-ffmpeg-rtp", hmac32)


# ---- WhipIngestJazzerTest#accessUnits: x264's Annex B as depacketized access units
def annexb_nals(d):
    starts = []
    i = 0
    while i + 3 <= len(d):
        if d[i:i + 3] == b"\x00\x00\x01":
            starts.append(i + 3)
            i += 3
        else:
            i += 1
    nals = []
    for k, s in enumerate(starts):
        e = starts[k + 1] - 3 if k + 1 < len(starts) else len(d)
        while e > s and d[e - 1] == 0:
            e -= 1
        nals.append(d[s:e])
    return nals


units = []
cur = []
for nal in annexb_nals(read("vireo-webrtc/src/test/resources/rtp/testsrc-320x240.h264")):
    cur.append(nal)
    if nal[0] & 0x1F in (1, 5):
        units.append(cur)
        cur = []
WHIP = "vireo-webrtc/src/test/resources/dev/vireo/webrtc/whip/WhipIngestJazzerTestInputs/"
au_seed = bytearray()
for unit in units[:4]:
    au = b"".join(struct.pack(">I", len(n)) + n for n in unit)
    au_seed += u16(len(au)) + au
write(WHIP + "accessUnits/x264-idr-and-slices", au_seed)
# Chromium sends the parameter sets in a STAP-A of their own; the depacketizer gives them as one unit
ps = b"".join(struct.pack(">I", len(n)) + n for n in units[0] if n[0] & 0x1F in (7, 8))
idr = b"".join(struct.pack(">I", len(n)) + n for n in units[0] if n[0] & 0x1F == 5)
write(WHIP + "accessUnits/x264-parameter-sets-apart", u16(len(ps)) + ps + u16(len(idr)) + idr)


def rtp_with_rids(ssrc, seq, elements, payload=b"\x41\x01"):
    ext = b"".join(bytes([i << 4 | len(v) - 1]) + v for i, v in elements)
    while len(ext) % 4:
        ext += b"\x00"
    return bytes([0x90, 102]) + u16(seq) + struct.pack(">II", 9000, ssrc) + u16(0xBEDE) + u16(len(ext) // 4) \
        + ext + payload


def plain_rtp(ssrc, seq, payload=b"\x41\x01"):
    return bytes([0x80, 102]) + u16(seq) + struct.pack(">II", 9000, ssrc) + payload


# byte 0 = 38: three layers, rid id 10, repaired rid id 11 (Chromium's numbering), mid id 9
sim = bytearray([38])
for flags, p in [(0, rtp_with_rids(0x1111, 1, [(9, b"0"), (10, b"q")])),
                 (0, rtp_with_rids(0x2222, 1, [(9, b"0"), (10, b"h")])),
                 (0, rtp_with_rids(0x3333, 1, [(9, b"0"), (10, b"f")])),
                 (0, plain_rtp(0x1111, 2)), (0, plain_rtp(0x3333, 2)), (0, plain_rtp(0x9999, 1)),
                 (1, rtp_with_rids(0x4444, 1, [(9, b"0"), (11, b"h")])), (1, plain_rtp(0x4444, 2)),
                 (0, rtp_with_rids(0x5555, 1, [(9, b"0"), (10, b"q\x00\x00")]))]:
    sim += bytes([flags]) + u16(len(p)) + p
write(WHIP + "simulcast/chromium-three-layers", sim)


# ---- RtmpSessionJazzerTest#play: RTMP messages (type, length, payload) and the publisher (0xF0-0xF7)
def amf_str(s):
    b = s.encode()
    return b"\x02" + u16(len(b)) + b


def amf_num(v):
    return b"\x00" + struct.pack(">d", v)


def amf_bool(v):
    return b"\x01" + bytes([1 if v else 0])


def command(name, tx, *args):
    body = amf_str(name) + amf_num(tx) + b"\x05" + b"".join(args)
    return bytes([20]) + u16(len(body)) + body


def record(kind, payload):
    return bytes([0xF0 | kind]) + u16(len(payload)) + payload


session = read("vireo-rtmp/src/test/resources/dev/vireo/rtmp/RtmpSessionJazzerTestInputs/session/ffmpeg-play")
# ffmpeg's connect, createStream, buffer length and play "demo" (start -2000): played as live/fuzz
ffmpeg_play = session[1:].replace(b"\x02\x00\x04demo", b"\x02\x00\x04fuzz")
cut = ffmpeg_play.index(b"\x14\x00\x21\x02\x00\x04play")
before_play, play_and_rest = ffmpeg_play[:cut], ffmpeg_play[cut:]
KIND = {"vc": 0, "ac": 3, "data": 5, "a": 4}


def publisher(frames):
    out = bytearray()
    for kind, dts, cts, key, payload in frames:
        out += record(1 if kind == "v" and key else 2 if kind == "v" else KIND[kind], payload)
    return out


PLAY = "vireo-rtmp/src/test/resources/dev/vireo/rtmp/RtmpSessionJazzerTestInputs/play/"
write(PLAY + "ffmpeg-play-h264-aac", b"\x00" + before_play + publisher(FLV[:12]) + play_and_rest
      + publisher(FLV[12:30]))
write(PLAY + "receive-video-false-pause-seek", b"\x01" + publisher(FLV[:12])
      + command("receiveVideo", 0, amf_bool(False)) + publisher(FLV[12:20])
      + command("pause", 0, amf_bool(True), amf_num(300)) + command("seek", 0, amf_num(0))
      + command("receiveAudio", 0, amf_bool(False)) + command("receiveVideo", 0, amf_bool(True))
      + publisher(FLV[20:30]) + record(7, struct.pack(">I", 100000)) + publisher(FLV[26:30])
      + command("closeStream", 0) + publisher(FLV[30:34]))
write(PLAY + "play-twice", b"\x01" + publisher(FLV[:8]) + command("play", 4, amf_str("fuzz")))
write(PLAY + "publisher-leaves-and-returns", b"\x01" + publisher(FLV[:8]) + record(6, b"")
      + publisher(FLV[:6]) + command("deleteStream", 5, amf_num(1)))


# ---- WhipReceiveJazzerTest (session 12): MediaClock, SimulcastMain, ReceiveTrack
RECV = "vireo-webrtc/src/test/resources/dev/vireo/webrtc/whip/WhipReceiveJazzerTestInputs/"


def clock_packet(track, arrival_ms, rtp):
    """A packet op: track 0 video (90 kHz) / 1 audio (48 kHz), arrival step in ms, RTP step (or first timestamp)."""
    return bytes([track << 7 | 31 << 2]) + u16(arrival_ms * 1000 // 32) + struct.pack(">I", rtp & 0xFFFFFFFF)


def clock_report(track, arrival_ms, ntp, rtp):
    return bytes([track << 7 | 31 << 2 | 3]) + u16(arrival_ms * 1000 // 32) + struct.pack(">Q", ntp) \
        + struct.pack(">I", rtp & 0xFFFFFFFF)


def ntp_of(unix_ms):
    seconds = unix_ms // 1000 + 2208988800
    return seconds << 32 | ((unix_ms % 1000) << 32) // 1000


# OBS: no sender reports; 30 fps video and 20 ms audio, then an hour at a time for 8 hours
# (the 32-bit RTP timestamp of 90 kHz passes 2^31 after 6.6 h and wraps after 13.3 h)
obs = bytearray(struct.pack(">Q", 0x0000_2F00_0000_0000))
obs += clock_packet(0, 100, 0xFFF0_0000) + clock_packet(1, 1, 12345)
for _ in range(10):
    obs += clock_packet(0, 33, 3000) + clock_packet(1, 20, 960)
for _ in range(8):
    obs += clock_packet(0, 2000, 324_000_000) + clock_packet(1, 1, 172_800_000)
write(RECV + "clock/obs-eight-hours-without-sender-reports", obs)
# Chromium: sender reports on both tracks (one wallclock), then media
chrome = bytearray(struct.pack(">Q", 0x0000_0100_0000_0000))
chrome += clock_packet(0, 50, 1_000_000) + clock_packet(1, 5, 2_000_000)
t0 = 1_796_000_000_000  # 2026-12
chrome += clock_report(0, 900, ntp_of(t0), 3000 * 27) + clock_report(1, 10, ntp_of(t0 + 10), 480 * 20)
for _ in range(12):
    chrome += clock_packet(0, 33, 3000) + clock_packet(1, 20, 960)
chrome += clock_report(0, 1000, ntp_of(t0 + 5000), 90_000 * 5) + clock_packet(0, 33, 3000)
write(RECV + "clock/chromium-sender-reports", chrome)


def main_size(layer, w, h):
    return bytes([layer << 2]) + s16(w) + s16(h)


def main_frame(layer, key):
    return bytes([layer << 2 | (3 if key else 2)])


def main_wait(ms):
    return bytes([1]) + u16(ms * 10)


# three layers (q, h, f); f starts, pauses (its uplink estimate fell) and comes back
sm = bytearray([2]) + struct.pack(">i", 1000)
sm += main_size(0, 320, 180) + main_size(1, 640, 360) + main_size(2, 1280, 720)
sm += main_frame(0, True) + main_frame(1, True) + main_wait(20) + main_frame(2, False) + main_frame(2, True)
for _ in range(60):
    sm += main_wait(20) + main_frame(0, False) + main_frame(1, False)
sm += main_frame(1, True) + main_wait(20) + main_frame(2, True) + main_frame(0, False)
write(RECV + "simulcastMain/chromium-three-layers-top-pauses", sm)


def rtp(pt, seq, ts, ssrc, payload, marker=False):
    return bytes([0x80, pt | (0x80 if marker else 0)]) + u16(seq) + struct.pack(">II", ts & 0xFFFFFFFF, ssrc) \
        + payload


def track_raw(packet, flags=0):
    return bytes([flags]) + u16(len(packet)) + packet


def track_wait(ms):
    return bytes([3, ms - 1])


H264_RTP = list(rtp_packets(RTP_SEEDS + "ffmpeg-h264-rtp"))
OPUS_RTP = list(rtp_packets(RTP_SEEDS + "ffmpeg-opus-rtp"))
# setup byte: codec in the low 2 bits (0 H.264, 1 AV1, 2-3 Opus) + 0x80 for NACK; then sequence number and time stamp
# of the built packets (unused by raw ones)
t = bytearray([0x80]) + u16(0) + struct.pack(">I", 0)
for p in H264_RTP:
    t += track_raw(p)
    if p[1] & 0x80:
        t += track_wait(33)
write(RECV + "track/ffmpeg-h264-rtp", t)
# the same packets reordered, one lost then retransmitted after a NACK, one lost for good
t = bytearray([0x80]) + u16(0) + struct.pack(">I", 0)
order = list(range(len(H264_RTP)))
order[4], order[5] = order[5], order[4]
later = order.pop(7)
order.remove(20)
for n, i in enumerate(order):
    t += track_raw(H264_RTP[i])
    if n == 9:
        t += bytes([4, 9, 16])  # NACK list, 10 ms retry
        t += track_wait(15) + track_raw(H264_RTP[later], 0x40)
    if H264_RTP[i][1] & 0x80:
        t += track_wait(33)
t += bytes([4, 9, 16]) + bytes([6]) + u16(1000)
write(RECV + "track/ffmpeg-h264-rtp-reordered-lost-nacked", t)
t = bytearray([2]) + u16(0) + struct.pack(">I", 0)
for p in OPUS_RTP:
    t += track_raw(p) + track_wait(20)
write(RECV + "track/ffmpeg-opus-rtp", t)


def obus(d):
    """(header, whole OBU) of a low-overhead bitstream."""
    i = 0
    while i < len(d):
        h = d[i]
        j = i + 1 + (1 if h & 4 else 0)
        size = shift = 0
        while True:
            b = d[j]
            j += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        yield h, d[i:j + size]
        i = j + size


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


# libaom's keyframe as Chromium packs it (AV1 RTP §4.4, temporal delimiter dropped): one packet,
# then split over two (Y=1, Z=1), then a temporal unit that lost its first packet
AV1_OBUS = [o for h, o in obus(read(V + "av1_main_keyframe.obu")) if (h >> 3) & 0xF != 2]
t = bytearray([0x81]) + u16(0) + struct.pack(">I", 0)
whole = bytes([0x08]) + b"".join(leb(len(o)) + o for o in AV1_OBUS)
t += track_raw(rtp(45, 100, 90000, 0x5EED, whole, True)) + track_wait(33)
first, rest = AV1_OBUS[0], b"".join(AV1_OBUS[1:])
cut = len(rest) // 2
t += track_raw(rtp(45, 101, 93000, 0x5EED, bytes([0x48]) + leb(len(first)) + first + leb(cut) + rest[:cut]))
t += track_raw(rtp(45, 102, 93000, 0x5EED, bytes([0x80]) + leb(len(rest) - cut) + rest[cut:], True))
t += track_wait(33) + track_raw(rtp(45, 104, 96000, 0x5EED, bytes([0x80]) + leb(len(rest) - cut) + rest[cut:], True))
t += bytes([6]) + u16(1000)
write(RECV + "track/libaom-keyframe-av1-rtp", t)


# ---- SlowViewerJazzerTest (session 12): the hub and HTTP-FLV viewers with writability and time
SLOW = "vireo-http/src/test/resources/dev/vireo/http/flv/SlowViewerJazzerTestInputs/viewers/"
SLOW_KIND = {"v": None, "a": 2, "vc": 3, "ac": 4, "data": 5}


def slow_frames(frames, last_dts):
    out = bytearray()
    for kind, dts, cts, key, payload in frames:
        k = (0 if key else 1) if kind == "v" else SLOW_KIND[kind]
        step = max(0, min(63, dts - last_dts))
        last_dts = dts
        out += bytes([k << 3 | (1 if len(payload) > 200 else 0), step | min(3, len(payload) // 500) << 6])
    return out, last_dts


def slow_live(frames, last_dts, viewers, ms=33):
    """Each frame, then time passing and every viewer's loop running."""
    out = bytearray()
    for f in frames:
        b, last_dts = slow_frames([f], last_dts)
        out += b + bytes([3, ms]) + b"".join(bytes([4, v]) for v in viewers)
    return out, last_dts


def media_loop(n):
    """The vector's media frames (a GOP of 38) again and again, time stamps going on: n frames."""
    media = [f for f in FLV if f[0] in ("v", "a")]
    out, offset = [], 0
    while len(out) < n:
        out += [(k, dts + offset, cts, key, p) for k, dts, cts, key, p in media]
        offset = out[-1][1] + 33
    return out[:n]


LIVE = FLV[:3] + media_loop(200)
WRITABLE, BLOCKED = 0x82, 0x02
s = bytearray([99])  # the bound: 1 s
b, d = slow_frames(LIVE[:8], 0)
s += b + bytes([5, 0, 4, 0])  # viewer 0 joins on the GOP cache
b, d = slow_live(LIVE[8:20], d, [0])
s += b + bytes([BLOCKED, 0])
b, d = slow_live(LIVE[20:40], d, [0])  # ~0.7 s blocked: frames skipped
s += b + bytes([WRITABLE, 0, 5, 0])  # writable again; viewer 1 joins mid-GOP
b, d = slow_live(LIVE[40:100], d, [0, 1])  # viewer 0 resumes at the next keyframe
s += b + bytes([BLOCKED, 1])
b, d = slow_live(LIVE[100:160], d, [0, 1])  # viewer 1 blocked past the bound: dropped
s += b
write(SLOW + "ffmpeg-h264-aac-blocked-resumed-dropped", s)
s = bytearray([29])  # the bound: 300 ms
b, d = slow_frames(LIVE[:20], 0)
s += b + bytes([5, 0, 7, 0, 3, 200, 4, 0, 5, 0, 7, 0])  # the publisher leaves; a viewer joins in its grace
b, d = slow_live(FLV[:30], 0, [0, 1])  # it comes back from 0 (the hub rebases its time stamps)
s += b + bytes([6, 0]) + slow_live(LIVE[30:40], d, [1])[0]
write(SLOW + "publisher-leaves-and-returns", s)
