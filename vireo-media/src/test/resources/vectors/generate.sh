#!/bin/sh
# Regenerates the test vectors in this folder with ffmpeg (Debian's 5.1 was used).
# Codec configuration records are cut out of MP4/Ogg containers by extract.py.
set -eu
cd "$(dirname "$0")"
q="-hide_banner -loglevel error -y"
src="-f lavfi -i testsrc2=size=160x90:rate=30"
tmp=$(mktemp -d)

# H.264 Main with B-frames + AAC-LC stereo 44.1 kHz, as ffmpeg muxes FLV
ffmpeg $q $src -f lavfi -i sine=frequency=440:sample_rate=44100 -t 0.5 \
  -c:v libx264 -preset ultrafast -bf 2 -g 10 -x264-params bframes=2:b-adapt=0 -b:v 100k \
  -c:a aac -b:a 32k -ac 2 -f flv h264_aac.flv
# H.264 + MP3 mono 22.05 kHz
ffmpeg $q $src -f lavfi -i sine=frequency=440:sample_rate=22050 -t 0.2 \
  -c:v libx264 -preset ultrafast -b:v 50k -c:a libmp3lame -b:a 32k -ac 1 -f flv h264_mp3.flv

# H.264 High 4:4:4 Predictive with a custom (JVT) scaling matrix, 100x60 at 25 fps (cropped)
ffmpeg $q -f lavfi -i testsrc2=size=100x60:rate=25 -t 0.04 -pix_fmt yuv444p \
  -c:v libx264 -x264-params cqm=jvt "$tmp/avc444.mp4"
python3 extract.py mp4 "$tmp/avc444.mp4" avcC > avc_high444_cqm.avcC
# H.264 Constrained Baseline, 64x48 at 15 fps
ffmpeg $q -f lavfi -i testsrc2=size=64x48:rate=15 -t 0.07 -c:v libx264 -profile:v baseline "$tmp/avcb.mp4"
python3 extract.py mp4 "$tmp/avcb.mp4" avcC > avc_baseline.avcC

# HEVC Main 160x90 (conformance window) and Main 10
ffmpeg $q $src -t 0.1 -c:v libx265 -x265-params log-level=none "$tmp/hevc.mp4"
python3 extract.py mp4 "$tmp/hevc.mp4" hvcC > hevc_main.hvcC
python3 extract.py sample "$tmp/hevc.mp4" > hevc_main_keyframe.bin
ffmpeg $q -f lavfi -i testsrc2=size=128x72:rate=30 -t 0.04 -pix_fmt yuv420p10le -c:v libx265 \
  -x265-params log-level=none "$tmp/hevc10.mp4"
python3 extract.py mp4 "$tmp/hevc10.mp4" hvcC > hevc_main10.hvcC

# AV1 Main 160x90
ffmpeg $q $src -t 0.1 -c:v libaom-av1 -cpu-used 8 -b:v 50k "$tmp/av1.mp4"
python3 extract.py mp4 "$tmp/av1.mp4" av1C > av1_main.av1C
python3 extract.py sample "$tmp/av1.mp4" > av1_main_keyframe.obu

# AAC-LC mono 48 kHz in ADTS; Opus stereo 48 kHz OpusHead
ffmpeg $q -f lavfi -i sine=frequency=440:sample_rate=48000 -t 0.1 -c:a aac -ac 1 -b:a 32k -f adts aac_lc_mono_48k.adts
ffmpeg $q -f lavfi -i sine=frequency=440:sample_rate=48000 -t 0.1 -c:a libopus -ac 2 -f ogg "$tmp/o.ogg"
python3 extract.py opushead "$tmp/o.ogg" > opus_stereo.OpusHead

rm -rf "$tmp"
