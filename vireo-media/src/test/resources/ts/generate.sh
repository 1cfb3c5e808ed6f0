#!/bin/sh
# Regenerates the MPEG-TS test vectors with ffmpeg (5.1 was used): short, small, deterministic
# enough for the assertions in TsDemuxerTest (counts, sizes, time stamps).
set -e
cd "$(dirname "$0")"
common="-hide_banner -loglevel error -y -bitexact"
# H.264 with B-frames + AAC LC 44.1 kHz stereo, 1 s, 30 fps, GOP 15, as an encoder would send over SRT
ffmpeg $common -f lavfi -i testsrc2=size=160x120:rate=30 -f lavfi -i sine=frequency=440:sample_rate=44100 \
  -ac 2 -t 1 -c:v libx264 -preset ultrafast -bf 2 -g 15 -pix_fmt yuv420p -c:a aac -b:a 32k \
  -f mpegts h264_aac.ts
# H.265 + Opus 48 kHz mono, 1 s, 25 fps, one packet per PES
ffmpeg $common -f lavfi -i testsrc2=size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 1 -c:v libx265 -preset ultrafast -x265-params log-level=none -g 25 -pix_fmt yuv420p \
  -c:a libopus -b:a 24k -pes_payload_size 0 -f mpegts hevc_opus.ts
