// What to change in the encoder (OBS names), from a stream's statistics and whether its
// streaming domains play it over RTS (WebRTC) with HTML5 transcoding.

export function streamWarnings(s, ctx, bitrates) {
  const out = [];
  const rts = ctx.rts;
  if (s.bFrames && rts) {
    out.push({ code: 'BFramesOnRts', title: 'B-frames on an RTS stream',
      advice: ctx.html5
        ? 'WebRTC viewers get the browser variant without B-frames (about 80 ms more delay and one ffmpeg). In OBS set Output → Advanced → B-frames (x264 options: bframes=0) to 0, or leave HTML5 transcoding on.'
        : 'Browsers cannot play B-frames over WebRTC and HTML5 transcoding is off: set B-frames to 0 in OBS (x264 options: bframes=0).' });
  }
  if (s.gopMillis > 2000) {
    out.push({ code: 'LongGop', title: 'Keyframe every ' + (s.gopMillis / 1000).toFixed(1) + ' s',
      advice: 'New viewers wait for a keyframe. In OBS set Output → Keyframe Interval to 1 s (ffmpeg: -g equal to the frame rate).' });
  }
  if (s.audioCodec === 'AAC' && rts) {
    out.push({ code: 'AacOnRts', title: 'AAC audio on an RTS stream',
      advice: ctx.html5 ? 'WebRTC viewers hear it transcoded to Opus. Nothing to do; publish Opus (WHIP or Enhanced RTMP) to skip the transcode.'
        : 'HTML5 transcoding is off, so WebRTC viewers get no sound: switch it on for the streaming domain or publish Opus.' });
  }
  if (s.bFrames && /high/i.test(s.videoProfile || '')) {
    out.push({ code: 'HighProfileBFrames', title: 'High profile with B-frames',
      advice: 'For the lowest delay use profile baseline (or main) with B-frames 0 and tune zerolatency.' });
  }
  if (s.fps && s.fps < 15) {
    out.push({ code: 'LowFps', title: 'Low frame rate (' + s.fps.toFixed(1) + ' fps)',
      advice: 'Check the encoder is not overloaded: in OBS lower the output resolution or use preset veryfast.' });
  }
  if (bitrates && bitrates.length >= 5) {
    const sorted = bitrates.slice(0, -1).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const now = bitrates[bitrates.length - 1];
    if (median > 0 && now > median * 2) {
      out.push({ code: 'BitrateSpike', title: 'Bitrate spike (' + Math.round(now) + ' kbit/s, usually ' + Math.round(median) + ')',
        advice: 'Use constant bitrate (OBS: Rate Control CBR) so viewers on slow links do not stall.' });
    }
  }
  return out;
}
