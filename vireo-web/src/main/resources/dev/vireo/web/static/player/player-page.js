// The /play/{app}/{stream} page: the Vireo player on this page's stream, with its stats.
// window.vireo is the player's live state (tests and curious users read it).
import { createPlayer } from '/vireo-player.js';

const $ = (id) => document.getElementById(id);
const video = $('video');
const path = location.pathname.split('/').filter(Boolean).map(decodeURIComponent); // play, app, stream
const query = new URLSearchParams(location.search);
$('title').textContent = path[1] + ' / ' + path[2];
document.title = path[1] + '/' + path[2] + ' · Vireo player';
$('via').value = query.get('via') || '';
$('via').addEventListener('change', () => {
  const q = new URLSearchParams(location.search);
  if ($('via').value) q.set('via', $('via').value); else q.delete('via');
  location.search = q.toString();
});
$('unmute').addEventListener('click', () => {
  video.muted = false;
  video.play().catch(() => {});
  $('unmute').hidden = true;
});

const NAMES = { whep: 'WebRTC (WHEP)', flv: 'HTTP-FLV', hls: 'HLS' };
const set = (id, text) => { $(id).textContent = text; };
const player = createPlayer(video, {
  origin: location.origin, app: path[1], stream: path[2], query: location.search,
  onUpdate: (s) => {
    const pill = $('protocol');
    pill.textContent = s.state === 'playing' ? NAMES[s.protocol] : s.state === 'offline' ? 'offline'
      : s.state === 'denied' ? 'not authorized' : s.state + (s.protocol ? ' · ' + NAMES[s.protocol] : '');
    pill.className = 'pill ' + s.state;
    const overlay = $('overlay');
    overlay.hidden = s.state === 'playing';
    overlay.textContent = s.state === 'offline' ? 'The stream is offline. Playback starts when it comes back.'
      : s.state === 'denied' ? 'Not authorized: this URL is not signed, or its signature expired or is wrong.'
        + ' Open a signed play URL (the URL generator prints them).'
      : s.state === 'reconnecting' ? 'Reconnecting…' : 'Connecting over ' + (NAMES[s.protocol] || '…');
    $('status').textContent = s.state === 'playing' ? 'playing' : s.error || s.state;
    $('status').className = s.state === 'playing' || !s.error ? '' : 'error';
    set('s-protocol', s.protocol ? NAMES[s.protocol] : '–');
    set('s-resolution', s.width ? s.width + '×' + s.height : '–');
    set('s-fps', s.fps !== null ? String(s.fps) : '–');
    set('s-bitrate', s.bitrateKbps ? s.bitrateKbps + ' kbit/s' : '–');
    set('s-first', s.protocolFirstFrameMs !== null ? s.protocolFirstFrameMs + ' ms' : '–');
    set('s-latency', s.latencyMs !== null ? s.latencyMs + ' ms' : '–');
    set('s-rtt', s.rttMs !== null ? s.rttMs + ' ms' : '–');
    set('s-loss', s.lossPercent !== null ? s.lossPercent + ' %' : '–');
    set('s-g2g', s.glassToGlassMs !== null ? s.glassToGlassMs + ' ms' + (s.clockErrorMs !== null ? ' ±' + s.clockErrorMs : '')
      : s.stampsSeen ? 'measuring…' : 'no stamp');
  }
});
window.vireo = player.state;
window.addEventListener('pagehide', () => player.stop());
