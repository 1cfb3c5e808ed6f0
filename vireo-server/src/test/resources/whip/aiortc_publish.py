#!/usr/bin/python3
"""A non-browser WHIP client (RFC 9725) for Vireo's tests: aiortc (Debian python3-aiortc 1.4)
publishes generated video (H.264, a moving bar) and audio (Opus, a 440 Hz tone) to a WHIP URL,
keeps publishing for --seconds (or, with --until-stdin, until its standard input has a line or ends,
whichever comes first), prints its sender stats as JSON lines, and DELETEs the session.

--connect-to HOST:PORT:ADDR:REALPORT sends the HTTP requests for HOST:PORT to ADDR:REALPORT with the
URL's Host header unchanged (as curl --connect-to): a URL of a domain that does not resolve here.
"""
import argparse
import asyncio
import fractions
import http.client
import json
import math
import sys
import time
import urllib.parse

import numpy as np
from av import AudioFrame, VideoFrame
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack


class Pattern(MediaStreamTrack):
    kind = "video"

    def __init__(self, width, height, fps):
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self.start = None
        self.count = 0

    async def recv(self):
        if self.start is None:
            self.start = time.time()
        due = self.start + self.count / self.fps
        await asyncio.sleep(max(0, due - time.time()))
        img = np.full((self.height, self.width, 3), 40, np.uint8)
        x = (self.count * 8) % self.width
        img[:, x:x + 32, :] = (0, 200, 255)
        frame = VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts = self.count * (90000 // self.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self.count += 1
        return frame


class Tone(MediaStreamTrack):
    kind = "audio"
    RATE = 48000
    SAMPLES = 960  # 20 ms

    def __init__(self):
        super().__init__()
        self.start = None
        self.count = 0

    async def recv(self):
        if self.start is None:
            self.start = time.time()
        due = self.start + self.count * self.SAMPLES / self.RATE
        await asyncio.sleep(max(0, due - time.time()))
        t = (np.arange(self.SAMPLES) + self.count * self.SAMPLES) / self.RATE
        pcm = (np.sin(2 * math.pi * 440 * t) * 8000).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = self.RATE
        frame.pts = self.count * self.SAMPLES
        frame.time_base = fractions.Fraction(1, self.RATE)
        self.count += 1
        return frame


def request(method, url, body=None, headers=None, connect_to=None):
    u = urllib.parse.urlsplit(url)
    host, port = u.hostname, u.port or (443 if u.scheme == "https" else 80)
    addr, real = host, port
    if connect_to:
        h, p, a, r = connect_to.split(":")
        if h == host and int(p) == port:
            addr, real = a, int(r)
    conn = http.client.HTTPConnection(addr, real, timeout=10)
    hdrs = {"Host": u.netloc}
    hdrs.update(headers or {})
    path = u.path + ("?" + u.query if u.query else "")
    conn.request(method, path, body=body, headers=hdrs)
    r = conn.getresponse()
    data = r.read().decode("utf-8", "replace")
    return r.status, dict(r.getheaders()), data


def say(**kw):
    print(json.dumps(kw), flush=True)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--bearer")
    ap.add_argument("--connect-to")
    ap.add_argument("--no-delete", action="store_true")
    ap.add_argument("--until-stdin", action="store_true")
    args = ap.parse_args()

    pc = RTCPeerConnection()
    video = pc.addTransceiver(Pattern(640, 360, 30), direction="sendonly")
    video.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("video").codecs
                               if c.mimeType in ("video/H264", "video/rtx")])
    pc.addTransceiver(Tone(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate

    headers = {"Content-Type": "application/sdp"}
    if args.bearer:
        headers["Authorization"] = "Bearer " + args.bearer
    status, hdrs, body = request("POST", args.url, pc.localDescription.sdp, headers, args.connect_to)
    if status != 201:
        say(event="refused", status=status, body=body)
        await pc.close()
        return 2
    location = urllib.parse.urljoin(args.url, hdrs.get("Location") or hdrs.get("location"))
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))
    say(event="answered", location=location)

    stop = asyncio.Event()
    if args.until_stdin:
        loop = asyncio.get_running_loop()
        fd = sys.stdin.fileno()

        def stdin_ready():
            loop.remove_reader(fd)
            stop.set()
        loop.add_reader(fd, stdin_ready)
    end = time.time() + args.seconds
    while time.time() < end and not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 1)
        except asyncio.TimeoutError:
            pass
        stats = await pc.getStats()
        out = {s.kind: s.packetsSent for s in stats.values() if s.type == "outbound-rtp"}
        say(event="stats", state=pc.connectionState, packets=out)
        if pc.connectionState == "failed":
            break
    if not args.no_delete:
        status, _, _ = request("DELETE", location, connect_to=args.connect_to)
        say(event="deleted", status=status)
    await pc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
