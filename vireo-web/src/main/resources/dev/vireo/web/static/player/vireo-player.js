// Vireo player: WebRTC (WHEP) first, then HTTP-FLV (mpegts.js), then HLS (hls.js); reconnects
// when the stream comes back. Embed it:
//   <script type="module" src="https://HOST/vireo-player.js"></script>
//   <vireo-player src="artc://HOST/live/demo?auth_key=..." controls></vireo-player>
// or call createPlayer(videoElement, { src, via, onUpdate }) from a module.
//
// Signed URLs: auth_key signs one URI, and /app/stream, /app/stream.flv and /app/stream.m3u8
// differ, so the player takes auth_key (WHEP), flv_auth_key and hls_auth_key; a protocol without
// its own key uses auth_key.

const LIBS = new URL('./vendor/', new URL('/', import.meta.url)).href;
const START_TIMEOUT_MS = { whep: 6000, flv: 8000, hls: 15000 };
// WebRTC gives up sooner when ICE has not connected: the server closes a session whose peer sent
// no ICE check within 5 s (SessionAdmission), and our DELETE must reach it before that.
const ICE_DEADLINE_MS = 4000;
const STALL_MS = 6000;
const RETRY_MS = 3000;
/** After every protocol was refused for its signature (403): retried, but slowly (a new URL is needed). */
const DENIED_RETRY_MS = 30000;
/** How long WHEP offers are retried while the server answers 429/503 with Retry-After (then FLV, HLS). */
const WHEP_WAIT_BUDGET_MS = 10000;
const PROTOCOLS = ['whep', 'flv', 'hls'];

/** Origin, app, stream and query from any Vireo play URL (artc://, /whep, .flv, .m3u8, /play/). */
export function parseSource(src, base) {
  let s = String(src).trim();
  let tls = null;
  if (/^artc:\/\//i.test(s)) {
    s = s.replace(/^artc:/i, 'http:');
    tls = base ? new URL(base).protocol === 'https:' : location.protocol === 'https:';
  }
  const u = new URL(s, base || location.href);
  let parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'play') parts = parts.slice(1);
  if (parts[2] === 'whep' || parts[2] === 'llhls.m3u8') parts = parts.slice(0, 2);
  if (parts.length !== 2) throw new Error('not a stream URL: ' + src);
  const stream = parts[1].replace(/\.(flv|m3u8)$/, '');
  const origin = (tls === null ? u.protocol : tls ? 'https:' : 'http:') + '//' + u.host;
  return { origin: origin, app: parts[0], stream: stream, query: u.searchParams };
}

function loadScript(url, global) {
  if (window[global]) return Promise.resolve(window[global]);
  return new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = url;
    el.onload = () => window[global] ? resolve(window[global]) : reject(new Error(url + ' did not define ' + global));
    el.onerror = () => reject(new Error('cannot load ' + url));
    document.head.append(el);
  });
}

/** The query for one protocol: its own auth_key, the page's other parameters (e.g. vhost). */
function queryFor(query, protocol) {
  const q = new URLSearchParams(query);
  const own = protocol === 'flv' ? q.get('flv_auth_key') : protocol === 'hls' ? q.get('hls_auth_key') : null;
  q.delete('flv_auth_key');
  q.delete('hls_auth_key');
  q.delete('via');
  if (own) q.set('auth_key', own);
  const s = q.toString();
  return s ? '?' + s : '';
}

/**
 * Plays a stream into {@code video}. Options: src (any play URL) or origin/app/stream/query; via
 * ('whep' | 'flv' | 'hls') to force one; iceServers; onUpdate(state) after every change.
 */
export function createPlayer(video, options) {
  const o = Object.assign({}, options);
  const source = o.src ? parseSource(o.src) : { origin: o.origin || location.origin, app: o.app, stream: o.stream,
    query: new URLSearchParams(o.query || '') };
  const via = o.via || source.query.get('via');
  const order = via && PROTOCOLS.includes(via) ? [via] : PROTOCOLS;
  const t0 = performance.now();
  const state = {
    state: 'connecting', protocol: null, error: null, firstFrameMs: null, protocolFirstFrameMs: null,
    width: 0, height: 0, fps: null, bitrateKbps: null, rttMs: null, lossPercent: null, latencyMs: null,
    glassToGlassMs: null, lastStampMs: null, stampsSeen: 0, clockOffsetMs: null, clockErrorMs: null,
    attempts: [], reconnects: 0, pc: null
  };
  const meter = new GlassToGlass(video, state, source.origin);
  let session = null;
  let stopped = false;
  let timer = null;
  let lastFrames = null;

  const update = () => { if (o.onUpdate) o.onUpdate(state); };
  video.muted = o.muted !== false;
  video.autoplay = true;
  video.playsInline = true;

  // Protocols of this round that were refused with 403 (a missing, wrong or expired signature).
  let deniedInRound = 0;

  async function run(index) {
    if (stopped) return;
    if (index === 0) deniedInRound = 0;
    if (index >= order.length) {
      // Every protocol refused the URL: it is not signed (or no longer), not offline.
      if (deniedInRound === order.length) return denied(state.error);
      state.state = 'offline';
      state.protocol = null;
      update();
      timer = setTimeout(() => run(0), RETRY_MS);
      return;
    }
    const protocol = order[index];
    const attempt = { protocol: protocol, result: 'trying', reason: null };
    state.attempts.push(attempt);
    if (state.attempts.length > 20) state.attempts.shift();
    state.state = 'connecting';
    state.protocol = protocol;
    update();
    const started = performance.now();
    try {
      meter.reset();
      session = await (protocol === 'whep' ? whep : protocol === 'flv' ? flv : hls)(source, video, state, o, meter);
    } catch (e) {
      attempt.result = 'failed';
      attempt.reason = e.message;
      state.error = protocol + ': ' + e.message;
      session = null;
      if (e.denied) deniedInRound++;
      // The stream is not live: no other protocol will find it either.
      return e.offline ? offline(e.message) : run(index + 1);
    }
    // the start-up timeout counts from the offer that was taken, not from waits the server asked for
    const outcome = await watch(session, protocol, started + (session.waitedMs || 0));
    if (stopped) return;
    stopSession();
    attempt.result = outcome.played ? 'ended' : 'failed';
    attempt.reason = outcome.reason;
    state.error = protocol + ': ' + outcome.reason;
    if (!outcome.played && outcome.denied) deniedInRound++;
    if (outcome.played) {
      state.reconnects++;
      state.state = 'reconnecting';
      update();
      timer = setTimeout(() => run(0), 1000);
    } else {
      run(index + 1);
    }
  }

  function denied(reason) {
    state.state = 'denied';
    state.protocol = null;
    state.error = reason;
    update();
    timer = setTimeout(() => run(0), DENIED_RETRY_MS);
  }

  function offline(reason) {
    state.state = 'offline';
    state.protocol = null;
    state.error = reason;
    update();
    timer = setTimeout(() => run(0), RETRY_MS);
  }

  /**
   * Resolves when the session fails, ends or stalls; {played} says whether it showed frames,
   * {denied} whether the server refused the URL (403).
   */
  function watch(s, protocol, started) {
    return new Promise((resolve) => {
      let played = false;
      let lastTime = -1;
      let lastProgress = performance.now();
      let settled = false;
      const finish = (reason, denied) => {
        if (settled) return;
        settled = true;
        clearInterval(tick);
        video.removeEventListener('loadeddata', onPicture);
        video.removeEventListener('resize', onPicture);
        resolve({ played: played, reason: reason, denied: denied === true });
      };
      s.onFail = finish;
      // The first picture's time, from the element's events (the poll below is coarser).
      let pictureAt = null;
      const onPicture = () => { if (pictureAt === null && video.videoWidth > 0) pictureAt = performance.now(); };
      video.addEventListener('loadeddata', onPicture);
      video.addEventListener('resize', onPicture);
      const tick = setInterval(() => {
        if (stopped) { finish('stopped'); return; }
        const now = performance.now();
        if (video.currentTime !== lastTime) { lastTime = video.currentTime; lastProgress = now; }
        if (!played && video.videoWidth > 0 && video.currentTime > 0) {
          played = true;
          state.state = 'playing';
          const at = pictureAt !== null ? pictureAt : now;
          state.protocolFirstFrameMs = Math.round(at - started);
          if (state.firstFrameMs === null) state.firstFrameMs = Math.round(at - t0);
          update();
        }
        if (!played && now - started > START_TIMEOUT_MS[protocol]) finish('no picture after ' + START_TIMEOUT_MS[protocol] / 1000 + ' s');
        if (played && now - lastProgress > STALL_MS) finish('stalled');
        if (video.paused && video.readyState >= 2) video.play().catch(() => {});
      }, 200);
    });
  }

  function stopSession() {
    if (session) {
      try { session.stop(); } catch (e) { /* already gone */ }
      session = null;
    }
    state.pc = null;
  }

  // Stats shared by every protocol: size and decoded frame rate from the element.
  const statsTimer = setInterval(async () => {
    state.width = video.videoWidth;
    state.height = video.videoHeight;
    const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
    const now = performance.now();
    if (q) {
      if (lastFrames) state.fps = Math.round((q.totalVideoFrames - lastFrames.n) * 10000 / (now - lastFrames.t)) / 10;
      lastFrames = { n: q.totalVideoFrames, t: now };
    }
    if (session && session.stats) {
      try { await session.stats(); } catch (e) { /* a closing session */ }
    }
    update();
  }, 1000);

  run(0);
  return {
    state: state,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(statsTimer);
      stopSession();
      meter.stop();
    }
  };
}

class Offline extends Error {
  constructor(message) { super(message); this.offline = true; }
}

/** 403: the server refused the URL (signature missing, wrong or expired). */
class Denied extends Error {
  constructor(message) { super(message); this.denied = true; }
}

async function refusal(res) {
  let why = res.headers.get('X-Tengine-Error');
  if (!why) {
    try { why = (await res.json()).message; } catch (e) { why = res.statusText || 'HTTP ' + res.status; }
  }
  return res.status + ' ' + why;
}

// WebRTC (RFC 9725 WHEP): POST the offer, apply the answer, DELETE the session at the end.
async function whep(src, video, state, o, meter) {
  const iceServers = o.iceServers || window.VIREO_ICE_SERVERS || [];
  // Encoded frames are looked at (not changed) for the publisher's wallclock SEI where the browser
  // lets us (Chromium's insertable streams); elsewhere WebRTC plays without glass-to-glass.
  const inspect = o.glassToGlass !== false && typeof RTCRtpReceiver !== 'undefined'
    && 'createEncodedStreams' in RTCRtpReceiver.prototype;
  const pc = new RTCPeerConnection(Object.assign({ bundlePolicy: 'max-bundle', iceServers: iceServers },
    inspect ? { encodedInsertableStreams: true } : {}));
  state.pc = pc;
  const s = { onFail: null, resource: null, waitedMs: 0 };
  const media = new MediaStream();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    if (inspect) {
      const { readable, writable } = e.receiver.createEncodedStreams();
      const video = e.track.kind === 'video';
      readable.pipeThrough(new TransformStream({
        transform(frame, out) {
          if (video) {
            const stamp = stampInAnnexB(new Uint8Array(frame.data));
            if (stamp !== null) {
              const rtp = frame.getMetadata().rtpTimestamp;
              meter.mark('rtp', rtp !== undefined ? rtp : frame.timestamp, stamp);
            }
          }
          out.enqueue(frame);
        }
      })).pipeTo(writable).catch(() => { /* the connection closed */ });
    }
    media.addTrack(e.track);
    if (video.srcObject !== media) video.srcObject = media;
  };
  pc.onconnectionstatechange = () => {
    if (['failed', 'closed'].includes(pc.connectionState) && s.onFail) s.onFail('WebRTC connection ' + pc.connectionState);
  };
  let iceDeadline = null; // armed once the server has taken the offer (after any Retry-After waits)
  let last = null;
  s.stats = async () => {
    const report = await pc.getStats();
    let v = null, a = null, pair = null;
    report.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') v = r;
      if (r.type === 'inbound-rtp' && r.kind === 'audio') a = r;
      if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair = r;
    });
    if (pair && pair.currentRoundTripTime !== undefined) state.rttMs = Math.round(pair.currentRoundTripTime * 1000);
    if (v) {
      const bytes = v.bytesReceived + (a ? a.bytesReceived : 0);
      if (last) state.bitrateKbps = Math.round((bytes - last.bytes) * 8 / (v.timestamp - last.ts));
      last = { bytes: bytes, ts: v.timestamp };
      const lost = Math.max(0, v.packetsLost || 0);
      const total = lost + (v.packetsReceived || 0);
      state.lossPercent = total ? Math.round(lost * 1000 / total) / 10 : 0;
      if (v.jitterBufferDelay && v.jitterBufferEmittedCount) {
        state.latencyMs = Math.round(v.jitterBufferDelay / v.jitterBufferEmittedCount * 1000 + (state.rttMs || 0) / 2);
      }
    }
  };
  s.stop = () => {
    clearTimeout(iceDeadline);
    if (s.resource) fetch(s.resource, { method: 'DELETE', keepalive: true }).catch(() => {});
    pc.close();
    if (video.srcObject === media) video.srcObject = null;
  };
  try {
    await pc.setLocalDescription(await pc.createOffer());
    // ICE-lite server: it learns our address from our checks, so the offer leaves at once.
    const url = src.origin + '/' + encodeURIComponent(src.app) + '/' + encodeURIComponent(src.stream) + '/whep'
      + queryFor(src.query, 'whep');
    let res;
    for (;;) {
      res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
      // 429/503 + Retry-After: the server is busy or this address offered too fast. WebRTC is worth
      // a short wait (as told, up to a budget) before falling back to a higher-latency protocol.
      const wait = Number(res.headers.get('Retry-After'));
      if ((res.status === 429 || res.status === 503) && wait > 0 && s.waitedMs + wait * 1000 <= WHEP_WAIT_BUDGET_MS) {
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        s.waitedMs += wait * 1000;
        continue;
      }
      break;
    }
    if (res.status !== 201) {
      const why = await refusal(res);
      throw res.status === 404 ? new Offline(why) : res.status === 403 ? new Denied(why) : new Error(why);
    }
    s.resource = new URL(res.headers.get('Location'), src.origin + '/').href;
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    iceDeadline = setTimeout(() => {
      if (!['connected', 'completed'].includes(pc.iceConnectionState) && s.onFail) {
        s.onFail('ICE did not connect in ' + ICE_DEADLINE_MS / 1000 + ' s');
      }
    }, ICE_DEADLINE_MS);
  } catch (e) {
    s.stop();
    throw e;
  }
  return s;
}

// HTTP-FLV through mpegts.js (Media Source Extensions).
async function flv(src, video, state, o, meter) {
  const mpegts = await loadScript(LIBS + 'mpegts.js', 'mpegts');
  if (!mpegts.isSupported()) throw new Error('this browser has no Media Source Extensions');
  mpegts.LoggingControl.enableVerbose = false;
  mpegts.LoggingControl.enableDebug = false;
  mpegts.LoggingControl.enableInfo = false;
  const url = src.origin + '/' + encodeURIComponent(src.app) + '/' + encodeURIComponent(src.stream) + '.flv' + queryFor(src.query, 'flv');
  const p = mpegts.createPlayer({ type: 'flv', isLive: true, url: url }, {
    enableWorker: false, enableStashBuffer: false, lazyLoad: false, liveBufferLatencyChasing: true,
    liveBufferLatencyMaxLatency: 1.5, liveBufferLatencyMinRemain: 0.3
  });
  const s = { onFail: null };
  p.on(mpegts.Events.ERROR, (type, detail, info) => {
    if (s.onFail) s.onFail('FLV ' + detail + (info && info.code ? ' ' + info.code : '') + (info && info.msg ? ': ' + info.msg : ''),
      !!info && info.code === 403);
  });
  p.on(mpegts.Events.LOADING_COMPLETE, () => { if (s.onFail) s.onFail('the stream ended'); });
  p.on(mpegts.Events.STATISTICS_INFO, (i) => { state.bitrateKbps = Math.round(i.speed * 8); });
  // FLV timestamps are not the element's: a stamp is timed at its arrival plus the buffer ahead.
  p.on(mpegts.Events.SEI_ARRIVED, (sei) => {
    const stamp = sei && sei.type === 5 ? stampOf(sei.uuid, sei.user_data) : null;
    if (stamp !== null) meter.arrived(stamp);
  });
  s.stats = async () => {
    state.rttMs = null;
    state.lossPercent = null;
    if (video.buffered.length) state.latencyMs = Math.round((video.buffered.end(video.buffered.length - 1) - video.currentTime) * 1000);
  };
  s.stop = () => { p.pause(); p.unload(); p.detachMediaElement(); p.destroy(); };
  p.attachMediaElement(video);
  p.load();
  p.play().catch(() => {});
  return s;
}

// HLS through hls.js.
async function hls(src, video, state, o, meter) {
  const Hls = await loadScript(LIBS + 'hls.min.js', 'Hls');
  if (!Hls.isSupported()) throw new Error('this browser has no Media Source Extensions');
  const url = src.origin + '/' + encodeURIComponent(src.app) + '/' + encodeURIComponent(src.stream) + '.m3u8' + queryFor(src.query, 'hls');
  const player = new Hls({ lowLatencyMode: true, liveSyncDurationCount: 2 });
  const s = { onFail: null };
  player.on(Hls.Events.ERROR, (e, data) => {
    const code = data.response && data.response.code;
    if (data.fatal && s.onFail) s.onFail('HLS ' + data.details + (code ? ' ' + code : ''), code === 403);
  });
  player.on(Hls.Events.FRAG_PARSING_USERDATA, (e, data) => {
    for (const u of data.samples || []) {
      const stamp = u.payloadType === 5 && u.uuid === SEI_UUID_STRING ? stampOf(null, u.userDataBytes) : null;
      if (stamp !== null) meter.mark('media', u.pts, stamp);
    }
  });
  player.on(Hls.Events.FRAG_LOADED, (e, data) => {
    const st = data.frag && data.frag.stats;
    if (st && st.loading && st.loading.end > st.loading.start) {
      state.bitrateKbps = Math.round(data.frag.duration > 0 ? st.total * 8 / data.frag.duration / 1000 : 0);
    }
  });
  s.stats = async () => {
    state.rttMs = null;
    state.lossPercent = null;
    if (player.latency) state.latencyMs = Math.round(player.latency * 1000);
  };
  s.stop = () => player.destroy();
  player.loadSource(url);
  player.attachMedia(video);
  return s;
}

// ---- glass-to-glass latency from the publisher's wallclock SEI ----
// Format (docs/LATENCY.md): an H.264 SEI NAL unit with one user_data_unregistered message
// (payloadType 5, payloadSize 32): the UUID "VireoBenchClock1" (16 ASCII bytes) and the
// publisher's Unix time in nanoseconds as 16 lowercase hex ASCII digits. vireo-bench writes it in
// every frame; an encoder may write it in any frames (e.g. once per second).
const SEI_UUID = Array.from('VireoBenchClock1', (c) => c.charCodeAt(0));
const SEI_UUID_STRING = '56697265-6f42-656e-6368-436c6f636b31';
const MAX_EXTRAPOLATE_S = 10;

/** Unix ms of a payload (16 hex digits of ns) after the UUID; null when it is not our stamp. */
export function stampOf(uuid, data) {
  if (uuid && (uuid.length !== 16 || SEI_UUID.some((b, i) => uuid[i] !== b))) return null;
  if (!data || data.length < 16) return null;
  let ns = 0n;
  for (let i = 0; i < 16; i++) {
    const c = data[i];
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (v < 0) return null;
    ns = ns * 16n + BigInt(v);
  }
  return Number(ns / 1000n) / 1000;
}

/**
 * The stamp in an Annex B H.264 access unit (a WebRTC encoded frame), or null. Every SEI unit is
 * looked at: H.264 §7.4.1.2.3 puts them before the first slice, but encoders do not all obey
 * (ffmpeg's h264_metadata appends its SEI after the slices).
 */
export function stampInAnnexB(b) {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] !== 0 || b[i + 1] !== 0 || b[i + 2] !== 1) continue;
    const type = b[i + 3] & 0x1f;
    if (type === 6) {
      let end = i + 4;
      while (end + 2 < b.length && !(b[end] === 0 && b[end + 1] === 0 && (b[end + 2] === 1 || b[end + 2] === 0))) end++;
      const stamp = stampInSei(unescape(b.subarray(i + 4, end + 2 < b.length ? end : b.length)));
      if (stamp !== null) return stamp;
    }
    i += 3;
  }
  return null;
}

/** Emulation prevention bytes removed (H.264 §7.4.1): 00 00 03 → 00 00. */
function unescape(b) {
  const out = new Uint8Array(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if (i >= 2 && b[i] === 3 && b[i - 1] === 0 && b[i - 2] === 0) continue;
    out[n++] = b[i];
  }
  return out.subarray(0, n);
}

/** Our stamp among the messages of an SEI RBSP (H.264 §7.3.2.3), or null. */
function stampInSei(r) {
  let p = 0;
  while (p < r.length && r[p] !== 0x80) {
    let type = 0, size = 0;
    while (r[p] === 0xff) { type += 255; p++; }
    type += r[p++];
    while (r[p] === 0xff) { size += 255; p++; }
    size += r[p++];
    if (p + size > r.length) return null;
    if (type === 5 && size >= 32) {
      const stamp = stampOf(r.subarray(p, p + 16), r.subarray(p + 16, p + 32));
      if (stamp !== null) return stamp;
    }
    p += size;
  }
  return null;
}

/**
 * Glass-to-glass latency: when a frame is shown, the server-synchronised wallclock minus the
 * publisher's stamp of that frame (extrapolated from the last stamped frame by media time). The
 * publisher's clock is assumed synchronised too (NTP, or the same machine); the clock sync's
 * error bound is in state.clockErrorMs.
 */
class GlassToGlass {
  constructor(video, state, origin) {
    this.video = video;
    this.state = state;
    this.origin = origin;
    this.marks = [];
    this.offset = null;
    this.stopped = false;
    this.syncing = null;
    this.onFrame = this.onFrame.bind(this);
  }

  reset() {
    this.marks = [];
    this.state.glassToGlassMs = null;
  }

  /** A stamped frame: kind 'rtp' (90 kHz RTP time) or 'media' (element media time, s). */
  mark(kind, key, stampMs) {
    this.seen(stampMs);
    this.marks.push({ kind: kind, key: key, stamp: stampMs });
    if (this.marks.length > 64) this.marks.shift();
    if (!this.watching && this.video.requestVideoFrameCallback) {
      this.watching = true;
      this.video.requestVideoFrameCallback(this.onFrame);
    }
  }

  /** A stamp whose frame's media time is unknown (HTTP-FLV): timed at arrival plus the buffer ahead. */
  arrived(stampMs) {
    this.seen(stampMs);
    if (this.offset === null) return;
    const v = this.video;
    const ahead = v.buffered.length ? Math.max(0, v.buffered.end(v.buffered.length - 1) - v.currentTime) : 0;
    this.state.glassToGlassMs = Math.round(performance.timeOrigin + performance.now() + this.offset + ahead * 1000 - stampMs);
  }

  seen(stampMs) {
    this.state.lastStampMs = stampMs;
    this.state.stampsSeen++;
    if (this.offset === null && !this.syncing) this.syncing = this.sync();
  }

  onFrame(now, meta) {
    if (this.stopped) return;
    this.video.requestVideoFrameCallback(this.onFrame);
    if (this.offset === null) return;
    let capture = null;
    for (let i = this.marks.length - 1; i >= 0 && capture === null; i--) {
      const m = this.marks[i];
      if (m.kind === 'rtp' && meta.rtpTimestamp !== undefined) {
        const d = (meta.rtpTimestamp - m.key) >>> 0; // RTP time wraps at 2^32
        if (d <= MAX_EXTRAPOLATE_S * 90000) capture = m.stamp + d / 90;
      } else if (m.kind === 'media' && meta.mediaTime !== undefined) {
        const d = meta.mediaTime - m.key;
        if (d >= -0.001 && d <= MAX_EXTRAPOLATE_S) capture = m.stamp + Math.max(0, d) * 1000;
      }
    }
    if (capture === null) return;
    const shown = performance.timeOrigin + (meta.expectedDisplayTime || now);
    this.state.glassToGlassMs = Math.round(shown + this.offset - capture);
  }

  /** Server time minus ours, NTP style over HTTP, as /tools/clock does: best of 5 round trips. */
  async sync() {
    let best = null;
    for (let i = 0; i < 5 && !this.stopped; i++) {
      try {
        const t0 = performance.timeOrigin + performance.now();
        const res = await fetch(this.origin + '/tools/time', { cache: 'no-store', credentials: 'omit' });
        const t1 = performance.timeOrigin + performance.now();
        const ts = (await res.json()).serverTimeMs;
        const sample = { offset: ts - (t0 + t1) / 2, error: (t1 - t0) / 2 };
        if (!best || sample.error < best.error) best = sample;
      } catch (e) {
        break;
      }
    }
    this.offset = best ? best.offset : 0;
    this.state.clockOffsetMs = best ? Math.round(best.offset) : null;
    this.state.clockErrorMs = best ? Math.round(best.error) : null;
  }

  stop() {
    this.stopped = true;
  }
}

/** <vireo-player src="artc://host/app/stream?auth_key=..." via="flv" controls> */
class VireoPlayerElement extends HTMLElement {
  connectedCallback() {
    if (this.player) return;
    const video = document.createElement('video');
    video.style.width = '100%';
    video.style.background = '#000';
    if (this.hasAttribute('controls')) video.controls = true;
    this.append(video);
    this.player = createPlayer(video, { src: this.getAttribute('src'), via: this.getAttribute('via') || undefined,
      onUpdate: (s) => this.dispatchEvent(new CustomEvent('vireo-update', { detail: s })) });
  }

  disconnectedCallback() {
    if (this.player) { this.player.stop(); this.player = null; }
  }
}

if (!customElements.get('vireo-player')) customElements.define('vireo-player', VireoPlayerElement);
