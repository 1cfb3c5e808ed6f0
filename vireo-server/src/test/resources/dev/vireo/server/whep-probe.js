// A WHEP viewer that records when each step of its start happened (ms after the POST is sent)
// and a getStats() time line, for first-frame and playback measurements (WhepStartProbe).
// Arguments: url (the WHEP endpoint), durationMs, audioMode ('same': audio in the <video>'s stream
// as a player does; 'separate': in its own <audio> element; 'none': not played), sampleMs; the
// last one is WebDriver's callback.
const [url, durationMs, audioMode, sampleMs, done] = arguments;
(async () => {
  let t0 = performance.now();
  const ev = {};
  const mark = (name) => { if (ev[name] === undefined) ev[name] = Math.round((performance.now() - t0) * 10) / 10; };
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  window.probePc = pc;
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true;
  document.body.appendChild(video);
  const audio = document.createElement('audio');
  audio.muted = true; audio.autoplay = true;
  document.body.appendChild(audio);
  const stream = new MediaStream();
  let firstFrameMeta = null;
  pc.ontrack = (e) => {
    mark('track_' + e.track.kind);
    if (audioMode === 'none' && e.track.kind === 'audio') {
      // received and decoded by WebRTC, played nowhere
    } else if (audioMode === 'separate' && e.track.kind === 'audio') {
      audio.srcObject = new MediaStream([e.track]);
    } else {
      stream.addTrack(e.track);
      if (video.srcObject !== stream) video.srcObject = stream;
    }
  };
  pc.oniceconnectionstatechange = () => mark('ice_' + pc.iceConnectionState);
  pc.onconnectionstatechange = () => mark('pc_' + pc.connectionState);
  video.addEventListener('loadeddata', () => mark('loadeddata'));
  video.addEventListener('resize', () => { if (video.videoWidth > 0) mark('resize'); });
  video.addEventListener('playing', () => mark('playing'));
  video.requestVideoFrameCallback((now, meta) => {
    mark('videoFrameCallback');
    firstFrameMeta = { presentedAtMs: Math.round((meta.presentationTime - t0) * 10) / 10,
      expectedDisplayMs: Math.round((meta.expectedDisplayTime - t0) * 10) / 10,
      receiveMs: meta.receiveTime ? Math.round((meta.receiveTime - t0) * 10) / 10 : null,
      rtpTimestamp: meta.rtpTimestamp, presentedFrames: meta.presentedFrames };
  });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  mark('answer');
  if (res.status !== 201) { done({ error: 'HTTP ' + res.status + ' ' + await res.text() }); return; }
  const resource = new URL(res.headers.get('Location'), url).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  const samples = [];
  const pick = (s, names) => { const o = {}; for (const n of names) if (s[n] !== undefined) o[n] = s[n]; return o; };
  const V = ['packetsReceived', 'packetsLost', 'framesReceived', 'framesDecoded', 'keyFramesDecoded', 'framesDropped',
    'jitterBufferDelay', 'jitterBufferTargetDelay', 'jitterBufferMinimumDelay', 'jitterBufferEmittedCount',
    'freezeCount', 'totalFreezesDuration', 'pauseCount', 'nackCount', 'pliCount', 'firCount', 'framesPerSecond'];
  const A = ['packetsReceived', 'packetsLost', 'totalSamplesReceived', 'concealedSamples', 'jitterBufferDelay',
    'jitterBufferTargetDelay', 'jitterBufferEmittedCount'];
  while (performance.now() - t0 < durationMs) {
    const rep = await pc.getStats();
    const t = Math.round((performance.now() - t0) * 10) / 10;
    let v = null, a = null;
    rep.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') v = pick(s, V);
      if (s.type === 'inbound-rtp' && s.kind === 'audio') a = pick(s, A);
    });
    samples.push({ t: t, v: v, a: a, w: video.videoWidth, ct: video.currentTime });
    if (v && v.packetsReceived > 0) mark('video_packet');
    if (v && v.framesReceived > 0) mark('video_frameReceived');
    if (v && v.framesDecoded > 0) mark('video_frameDecoded');
    if (a && a.packetsReceived > 0) mark('audio_packet');
    if (a && a.totalSamplesReceived > 0) mark('audio_samples');
    await new Promise((r) => setTimeout(r, sampleMs));
  }
  const q = video.getVideoPlaybackQuality();
  fetch(resource, { method: 'DELETE' }).catch(() => {});
  pc.close();
  video.remove();
  audio.remove();
  done({ events: ev, epoch0: performance.timeOrigin + t0, first: firstFrameMeta, samples: samples,
    quality: { total: q.totalVideoFrames, dropped: q.droppedVideoFrames } });
})().catch((e) => done({ error: String(e) }));
