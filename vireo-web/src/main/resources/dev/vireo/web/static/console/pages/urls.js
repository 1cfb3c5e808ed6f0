// URL generator: every ingest and play URL of a stream, signed, with the OBS settings to use.
import { h, field, input, select, copyButton, pageHeader, toast } from '../ui.js';
import { get, post } from '../api.js';

export async function render(main) {
  const [domainList, templateList] = await Promise.all([get('/domains'), get('/templates').catch(() => ({ templates: [] }))]);
  const domains = domainList.domains || [];
  const ingests = domains.filter(d => d.type === 'ingest').map(d => d.domain);
  const streamings = domains.filter(d => d.type === 'streaming').map(d => d.domain);
  const zeroConfig = domains.length === 0;

  const ingest = select('ingestDomain', [['', zeroConfig ? 'Default vhost' : 'From the association'], ...ingests]);
  const streaming = select('streamingDomain', [['', zeroConfig ? 'Default vhost' : 'From the association'], ...streamings]);
  const app = input('app', { value: 'live', required: true });
  const stream = input('stream', { value: 'demo', required: true });
  const builtIn = ['lld', 'lsd', 'lhd', 'lud'];
  const custom = (templateList.templates || []).map(t => t.id).filter(id => !builtIn.includes(id));
  const template = select('templateId', [['', 'None'], ...custom, ...builtIn]);
  const validity = input('validityMinutes', { type: 'number', min: '1', placeholder: 'domain default' });
  if (zeroConfig) { ingest.disabled = true; streaming.disabled = true; }
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'grid', 'aria-label': 'Generate URLs' },
    field('Ingest domain', ingest), field('Streaming domain', streaming), field('App', app), field('Stream', stream),
    field('Transcoding template', template, 'Adds {stream}_{id} play URLs'), field('Validity (minutes)', validity),
    h('div', { class: 'submit' }, h('button', { type: 'submit', class: 'primary' }, 'Generate')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await post('/urls', { ingestDomain: ingest.value || null, streamingDomain: streaming.value || null,
        app: app.value.trim(), stream: stream.value.trim(), templateId: template.value || null,
        validityMinutes: validity.value ? Number(validity.value) : null });
      draw(r);
    } catch (err) { toast(err.message, true); }
  });
  main.append(pageHeader('URL generator', 'Every URL to publish and play a stream, signed with the domain\'s primary key.'),
    h('div', { class: 'card' }, form), out);

  function rows(list) {
    return list.filter(([, url]) => url).map(([label, url]) => h('div', { class: 'urlrow' },
      h('span', { class: 'label' }, label), h('code', { dataset: { url: label } }, url), copyButton(url, label + ' URL')));
  }

  function draw(r) {
    out.replaceChildren();
    if (r.ingest) {
      const rtmp = new URL(r.ingest.rtmp.replace(/^rtmp:/, 'http:'));
      const parts = rtmp.pathname.split('/').filter(Boolean);
      const server = 'rtmp://' + rtmp.host + '/' + parts.slice(0, -1).join('/');
      const key = parts[parts.length - 1] + rtmp.search;
      out.append(h('div', { class: 'two' },
        h('div', { class: 'card' }, h('h2', {}, 'Publish'),
          rows([['RTMP', r.ingest.rtmp], ['SRT', r.ingest.srt], ['RTS (artc)', r.ingest.rts], ['WHIP', r.ingest.whip]]),
          expiry(r.ingest.expiresAt)),
        h('div', { class: 'card', 'aria-label': 'OBS settings' }, h('h2', {}, 'OBS settings'),
          h('div', { class: 'urlrow' }, h('span', { class: 'label' }, 'Server'), h('code', { dataset: { url: 'obs-server' } }, server), copyButton(server, 'Server')),
          h('div', { class: 'urlrow' }, h('span', { class: 'label' }, 'Stream key'), h('code', { dataset: { url: 'obs-key' } }, key), copyButton(key, 'Stream key')),
          h('dl', { class: 'kv', style: 'margin-top:12px' },
            h('dt', {}, 'Service'), h('dd', {}, 'Custom…'),
            h('dt', {}, 'Keyframe interval'), h('dd', {}, '1 s'),
            h('dt', {}, 'B-frames'), h('dd', {}, '0 (x264 options: bframes=0)'),
            h('dt', {}, 'Rate control'), h('dd', {}, 'CBR'),
            h('dt', {}, 'CPU preset'), h('dd', {}, 'veryfast'),
            h('dt', {}, 'Profile / tune'), h('dd', {}, 'baseline / zerolatency'),
            h('dt', {}, 'Audio'), h('dd', {}, 'AAC 48 kHz (transcoded to Opus for WebRTC)')))));
    }
    if (r.play) {
      const player = playerUrl(r.app, r.stream, r.play);
      out.append(h('div', { class: 'card' }, h('h2', {}, 'Play'),
        rows([['RTS (artc)', r.play.rts], ['WHEP', r.play.whep], ['RTMP', r.play.rtmp], ['SRT', r.play.srt],
          ['HTTP-FLV', r.play.flv], ['HLS', r.play.m3u8], ['Player page', player]]),
        h('p', {}, h('a', { href: player, target: '_blank', rel: 'noopener' }, 'Open the player')),
        expiry(r.play.expiresAt)));
    }
    if (r.transcoded) {
      out.append(h('div', { class: 'card' }, h('h2', {}, 'Transcoded (' + r.transcoded.templateId + ')'),
        rows([['RTS (artc)', r.transcoded.play.rts], ['RTMP', r.transcoded.play.rtmp], ['HTTP-FLV', r.transcoded.play.flv],
          ['HLS', r.transcoded.play.m3u8]])));
    }
  }
}

function expiry(at) {
  return h('p', { class: 'lead', style: 'margin:10px 0 0' }, at ? 'Signed; valid until ' + new Date(at).toLocaleString() + '.' : 'Not signed.');
}

/** The player page on the streaming domain, with the auth_key of each protocol it may use. */
export function playerUrl(app, stream, play) {
  const whep = new URL(play.whep);
  const q = new URLSearchParams();
  const key = (u) => new URL(u.replace(/^rtmp:|^artc:/, 'http:')).searchParams.get('auth_key');
  if (key(play.whep)) q.set('auth_key', key(play.whep));
  if (key(play.flv)) q.set('flv_auth_key', key(play.flv));
  if (key(play.m3u8)) q.set('hls_auth_key', key(play.m3u8));
  const s = q.toString();
  return whep.origin + '/play/' + encodeURIComponent(app) + '/' + encodeURIComponent(stream) + (s ? '?' + s : '');
}
