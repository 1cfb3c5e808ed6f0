// Streams: what is live, how it is encoded, who watches, and what to change in the encoder.
import { h, badge, fmtDuration, fmtKbps, pageHeader, emptyRow, toast } from '../ui.js';
import { get, post, blob } from '../api.js';
import { streamWarnings } from './advice.js';

const history = new Map(); // stream path -> recent bitrates, for spike warnings
const PROTOCOLS = [['whep', 'WebRTC'], ['flv', 'FLV'], ['hls', 'HLS'], ['rtmp', 'RTMP'], ['srt', 'SRT'], ['other', 'Other']];
const THUMB_EVERY_MS = 10000;

// A 16:9 grey frame with a camera outline, shown until the first picture arrives.
const PLACEHOLDER = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 90">'
  + '<rect width="160" height="90" fill="#eaeef2"/><rect x="58" y="32" width="34" height="26" rx="4" fill="none" stroke="#8c959f" stroke-width="3"/>'
  + '<path d="M92 40l12-7v24l-12-7z" fill="#8c959f"/></svg>');

export async function render(main) {
  const body = h('tbody');
  const updated = h('span', { class: 'lead', 'aria-live': 'polite' });
  main.append(
    pageHeader('Streams', 'Live streams on this server, refreshed every 3 seconds.', updated),
    h('div', { class: 'card flush' }, h('table', { 'aria-label': 'Live streams' },
      h('thead', {}, h('tr', {}, ['', 'Stream', 'Video', 'Audio', 'Bitrate', 'GOP', 'Viewers', 'Transcoding', ''].map(t => h('th', { scope: 'col' }, t)))),
      body)));

  let domains = [];
  let timer = null;
  let stopped = false;
  const thumbs = new Map(); // stream path -> { img, url (object URL), at (last fetch) }

  async function refresh() {
    try {
      const [s, d] = await Promise.all([get('/streams'), get('/domains')]);
      domains = d.domains || [];
      draw(s.streams || []);
      updated.textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      updated.textContent = 'Refresh failed: ' + e.message;
    }
    if (!stopped) timer = setTimeout(refresh, 3000);
  }

  function draw(streams) {
    const sources = streams.filter(s => !s.transcode);
    const jobs = streams.filter(s => s.transcode);
    body.replaceChildren();
    if (!sources.length) {
      body.append(emptyRow(9, 'No stream is live. Push one with OBS or ffmpeg — the URL generator prints the URLs.'));
      return;
    }
    for (const s of sources) {
      const path = s.vhost + '/' + s.app + '/' + s.stream;
      const rates = history.get(path) || [];
      rates.push(s.bitrateKbps);
      if (rates.length > 20) rates.shift();
      history.set(path, rates);
      const mine = jobs.filter(j => j.transcode.source === path);
      const rts = rtsContext(s.vhost);
      const warnings = streamWarnings(s, rts, rates);
      const started = Date.parse(s.startedAt);
      const byProtocol = viewersByProtocol([s, ...mine]);
      const total = Object.values(byProtocol).reduce((a, b) => a + b, 0);
      body.append(h('tr', { dataset: { stream: path } },
        h('td', { class: 'thumb' }, thumbnail(s, path)),
        h('td', {}, h('strong', {}, s.app + '/' + s.stream), h('div', { class: 'mono', style: 'color:var(--muted)' },
          s.vhost === '__defaultVhost__' ? 'default vhost' : s.vhost),
          h('div', { class: 'muted', title: 'Live since ' + new Date(started).toLocaleString() },
            'live for ' + (isNaN(started) ? '–' : fmtDuration(Date.now() - started))),
          warnings.length ? h('div', { style: 'margin-top:4px' }, badge(warnings.length + ' advice', 'warn')) : null),
        h('td', { class: 'num' }, s.videoCodec ? [s.videoCodec + (s.videoProfile ? ' ' + s.videoProfile : ''), h('br'),
          s.width + '×' + s.height + ' · ' + (s.fps ? s.fps.toFixed(1) : '–') + ' fps', h('br'),
          s.bFrames ? badge('B-frames', 'warn') : badge('no B-frames', 'ok')] : badge('no video')),
        h('td', { class: 'num' }, s.audioCodec ? [s.audioCodec, h('br'), (s.audioSampleRate / 1000) + ' kHz · '
          + (s.audioChannels === 1 ? 'mono' : s.audioChannels + ' ch')] : badge('no audio')),
        h('td', { class: 'num' }, fmtKbps(s.bitrateKbps)),
        h('td', { class: 'num' }, s.gopMillis ? (s.gopMillis / 1000).toFixed(1) + ' s' : '–', h('br'),
          s.gopFrames ? s.gopFrames + ' frames' : ''),
        h('td', { class: 'num', dataset: { viewers: String(total) } }, h('strong', {}, String(total)),
          h('div', { class: 'protocols' }, PROTOCOLS.filter(([p]) => byProtocol[p]).map(([p, label]) =>
            h('span', { class: 'proto', dataset: { protocol: p } }, label + ' ' + byProtocol[p])))),
        h('td', {}, mine.length ? mine.map(j => h('div', {}, badge(j.transcode.kind === 'html5' ? 'browser variant'
          : j.transcode.kind === 'template' ? 'template ' + j.transcode.template : j.transcode.kind,
          j.transcode.state === 'RUNNING' ? 'info' : 'warn'), ' ', j.viewers + ' viewer' + (j.viewers === 1 ? '' : 's')))
          : h('span', { style: 'color:var(--muted)' }, 'none')),
        h('td', {}, h('div', { class: 'actions stack' },
          h('a', { class: 'button small', href: '/play/' + encodeURIComponent(s.app) + '/' + encodeURIComponent(s.stream),
            target: '_blank', rel: 'noopener' }, 'Play'),
          h('button', { type: 'button', class: 'small', onclick: () => kick(s),
            title: 'Disconnect the publisher now; it may connect again' }, 'Kick'),
          h('button', { type: 'button', class: 'small danger', onclick: () => forbid(s) }, 'Forbid'),
          h('button', { type: 'button', class: 'small', onclick: () => resume(s) }, 'Resume')))));
      if (warnings.length) {
        body.append(h('tr', { class: 'advice' }, h('td', {}), h('td', { colspan: 8 },
          h('ul', { class: 'warnings', 'aria-label': 'Encoder advice for ' + s.app + '/' + s.stream },
            warnings.map(w => h('li', { dataset: { code: w.code } }, h('strong', {}, w.title), ' ', w.advice))))));
      }
    }
  }

  // Viewers of a stream and of its variants (@html5 for WebRTC, @aac, templates), per protocol.
  function viewersByProtocol(list) {
    const out = {};
    for (const x of list) {
      const counts = x.viewersByProtocol || {};
      if (!Object.keys(counts).length && x.viewers) out.other = (out.other || 0) + x.viewers;
      for (const [p, n] of Object.entries(counts)) out[p] = (out[p] || 0) + n;
    }
    return out;
  }

  // The latest picture through the API (the key authorises it, whatever the domain's signing),
  // refreshed every 10 s; a placeholder until the first one.
  function thumbnail(s, path) {
    let t = thumbs.get(path);
    if (!t) {
      t = { img: h('img', { alt: 'Latest picture of ' + s.app + '/' + s.stream, width: '128', height: '72', src: PLACEHOLDER }), url: null, at: 0 };
      thumbs.set(path, t);
    }
    if (Date.now() - t.at > THUMB_EVERY_MS) {
      t.at = Date.now();
      blob('/streams/' + [s.vhost, s.app, s.stream].map(encodeURIComponent).join('/') + '/snapshot.jpg').then(b => {
        if (!b || stopped) return;
        if (t.url) URL.revokeObjectURL(t.url);
        t.url = URL.createObjectURL(b);
        t.img.src = t.url;
        t.img.classList.add('live');
      }).catch(() => { /* keep the last picture or the placeholder */ });
    }
    return t.img;
  }

  async function kick(s) {
    try {
      await post('/streams/' + [s.vhost, s.app, s.stream].map(encodeURIComponent).join('/') + '/kick', {});
      toast('Publisher of ' + s.app + '/' + s.stream + ' disconnected (it may connect again; Forbid to keep it out)');
      clearTimeout(timer);
      refresh();
    } catch (e) { toast(e.message, true); }
  }

  function rtsContext(vhost) {
    if (vhost === '__defaultVhost__') return { rts: true, html5: true };
    const playing = domains.filter(d => d.type === 'streaming' && d.ingestDomain === vhost);
    return { rts: playing.some(d => d.rtsEnabled), html5: playing.some(d => d.rtsEnabled && d.html5Transcoding) };
  }

  async function forbid(s) {
    if (!confirm('Forbid ' + s.app + '/' + s.stream + '? The publisher is disconnected and cannot publish again until you resume it.')) return;
    try {
      await post('/streams/' + [s.vhost, s.app, s.stream].map(encodeURIComponent).join('/') + '/forbid', {});
      toast('Stream forbidden');
      clearTimeout(timer);
      refresh();
    } catch (e) { toast(e.message, true); }
  }

  async function resume(s) {
    try {
      await post('/streams/' + [s.vhost, s.app, s.stream].map(encodeURIComponent).join('/') + '/resume', {});
      toast('Stream may publish again');
    } catch (e) { toast(e.message, true); }
  }

  await refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const t of thumbs.values()) if (t.url) URL.revokeObjectURL(t.url);
  };
}
