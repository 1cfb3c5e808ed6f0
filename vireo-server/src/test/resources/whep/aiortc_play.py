#!/usr/bin/python3
"""A non-browser WHEP client (RFC 9725) for Vireo's tests: aiortc (Debian python3-aiortc 1.4) offers
to receive video and audio, applies the server's answer (which rejects what the stream does not
carry), decodes video for --seconds and prints how many frames it got as JSON lines."""
import argparse
import asyncio
import json
import sys
import time
import urllib.parse
import urllib.request

from aiortc import RTCPeerConnection, RTCSessionDescription


def say(**kw):
    print(json.dumps(kw), flush=True)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()

    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    frames = {"video": 0}
    done = asyncio.Event()

    @pc.on("track")
    def on_track(track):
        if track.kind != "video":
            return

        async def pull():
            while not done.is_set():
                try:
                    await track.recv()
                except Exception:
                    return
                frames["video"] += 1
        asyncio.ensure_future(pull())

    await pc.setLocalDescription(await pc.createOffer())
    req = urllib.request.Request(args.url, data=pc.localDescription.sdp.encode(), method="POST",
                                 headers={"Content-Type": "application/sdp"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, answer, location = r.status, r.read().decode(), r.headers.get("Location")
    except urllib.error.HTTPError as e:
        say(event="refused", status=e.code, body=e.read().decode())
        return 2
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    except Exception as e:  # a strict parser's refusal of the answer
        say(event="answer-refused", error=str(e))
        return 3
    say(event="answered", status=status)
    end = time.time() + args.seconds
    while time.time() < end:
        await asyncio.sleep(1)
        say(event="stats", state=pc.connectionState, video_frames=frames["video"])
    done.set()
    req = urllib.request.Request(urllib.parse.urljoin(args.url, location), method="DELETE")
    with urllib.request.urlopen(req, timeout=10) as r:
        say(event="deleted", status=r.status)
    await pc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
