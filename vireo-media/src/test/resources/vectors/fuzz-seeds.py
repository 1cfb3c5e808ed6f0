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
