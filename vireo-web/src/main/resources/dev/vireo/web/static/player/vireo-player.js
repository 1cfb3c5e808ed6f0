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
    attempts: [], reconnects: 0, pc: null
  };
  let session = null;
  let stopped = false;
  let timer = null;
  let lastFrames = null;

  const update = () => { if (o.onUpdate) o.onUpdate(state); };
  video.muted = o.muted !== false;
  video.autoplay = true;
  video.playsInline = true;

  async function run(index) {
    if (stopped) return;
    if (index >= order.length) {
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
      session = await (protocol === 'whep' ? whep : protocol === 'flv' ? flv : hls)(source, video, state, o);
    } catch (e) {
      attempt.result = 'failed';
      attempt.reason = e.message;
      state.error = protocol + ': ' + e.message;
      session = null;
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
    if (outcome.played) {
      state.reconnects++;
      state.state = 'reconnecting';
      update();
      timer = setTimeout(() => run(0), 1000);
    } else {
      run(index + 1);
    }
  }

  function offline(reason) {
    state.state = 'offline';
    state.protocol = null;
    state.error = reason;
    update();
    timer = setTimeout(() => run(0), RETRY_MS);
  }

  /** Resolves when the session fails, ends or stalls; {played} says whether it showed frames. */
  function watch(s, protocol, started) {
    return new Promise((resolve) => {
      let played = false;
      let lastTime = -1;
      let lastProgress = performance.now();
      let settled = false;
      const finish = (reason) => {
        if (settled) return;
        settled = true;
        clearInterval(tick);
        video.removeEventListener('loadeddata', onPicture);
        video.removeEventListener('resize', onPicture);
        resolve({ played: played, reason: reason });
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
    }
  };
}

class Offline extends Error {
  constructor(message) { super(message); this.offline = true; }
}

async function refusal(res) {
  let why = res.headers.get('X-Tengine-Error');
  if (!why) {
    try { why = (await res.json()).message; } catch (e) { why = res.statusText || 'HTTP ' + res.status; }
  }
  return res.status + ' ' + why;
}

// WebRTC (RFC 9725 WHEP): POST the offer, apply the answer, DELETE the session at the end.
async function whep(src, video, state, o) {
  const iceServers = o.iceServers || window.VIREO_ICE_SERVERS || [];
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', iceServers: iceServers });
  state.pc = pc;
  const s = { onFail: null, resource: null, waitedMs: 0 };
  const media = new MediaStream();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (e) => {
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
      throw res.status === 404 ? new Offline(why) : new Error(why);
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
async function flv(src, video, state) {
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
    if (s.onFail) s.onFail('FLV ' + detail + (info && info.msg ? ': ' + info.msg : ''));
  });
  p.on(mpegts.Events.LOADING_COMPLETE, () => { if (s.onFail) s.onFail('the stream ended'); });
  p.on(mpegts.Events.STATISTICS_INFO, (i) => { state.bitrateKbps = Math.round(i.speed * 8); });
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
async function hls(src, video, state) {
  const Hls = await loadScript(LIBS + 'hls.min.js', 'Hls');
  if (!Hls.isSupported()) throw new Error('this browser has no Media Source Extensions');
  const url = src.origin + '/' + encodeURIComponent(src.app) + '/' + encodeURIComponent(src.stream) + '.m3u8' + queryFor(src.query, 'hls');
  const player = new Hls({ lowLatencyMode: true, liveSyncDurationCount: 2 });
  const s = { onFail: null };
  player.on(Hls.Events.ERROR, (e, data) => { if (data.fatal && s.onFail) s.onFail('HLS ' + data.details); });
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
