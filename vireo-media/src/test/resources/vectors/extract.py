#!/usr/bin/env python3
"""Cuts test vectors out of containers written by ffmpeg; see generate.sh.

mp4 FILE BOX   payload of the first box of that type (avcC, hvcC, av1C)
sample FILE    first sample of the first track (the bytes of the first chunk in mdat)
opushead FILE  the OpusHead packet of an Ogg Opus file
"""
import struct
import sys


def boxes(data, start, end):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size < 8 or pos + size > end:
            break
        yield kind.decode("latin1"), pos, size
        pos += size


CONTAINERS = {"moov", "trak", "mdia", "minf", "stbl"}


def find(data, start, end, want):
    for kind, pos, size in boxes(data, start, end):
        if kind == want:
            return pos, size
        if kind in CONTAINERS:
            r = find(data, pos + 8, pos + size, want)
            if r:
                return r
        if kind == "stsd":
            # full box header + entry count, then sample entries
            for _, epos, esize in boxes(data, pos + 16, pos + size):
                # visual sample entry: 8 header + 78 bytes of fields
                r = find(data, epos + 8 + 78, epos + esize, want)
                if r:
                    return r
    return None


def main():
    mode, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    out = sys.stdout.buffer
    if mode == "mp4":
        pos, size = find(data, 0, len(data), sys.argv[3])
        out.write(data[pos + 8:pos + size])
    elif mode == "sample":
        spos, ssize = find(data, 0, len(data), "stsz")
        first = struct.unpack(">I", data[spos + 20:spos + 24])[0]
        cpos, _ = find(data, 0, len(data), "stco")
        offset = struct.unpack(">I", data[cpos + 16:cpos + 20])[0]
        out.write(data[offset:offset + first])
    elif mode == "opushead":
        i = data.index(b"OpusHead")
        nseg = data[26]
        length = sum(data[27:27 + nseg])
        out.write(data[i:i + length])


main()
