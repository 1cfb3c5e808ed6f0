// Troubleshooting: what the server thinks of an ingest or play URL, finding by finding.
import { h, field, input, pageHeader, toast, badge } from '../ui.js';
import { post } from '../api.js';

const KINDS = { publish: ['published', 'ok'], unpublish: ['publisher left', 'muted'], end: ['stream ended', 'muted'],
  refused: ['refused', 'bad'] };

// The stream's recent history as the server recorded it (publishes, unpublishes, refusals with reasons).
function events(r) {
  if (!r.app) return null;
  const list = r.events || [];
  return h('div', { class: 'card flush' },
    h('h2', { style: 'padding:16px 20px 0' }, 'Recent events of ' + r.app + '/' + r.stream),
    h('table', { 'aria-label': 'Recent events' },
      h('thead', {}, h('tr', {}, ['Time', 'Event', 'Domain', 'Details'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.length ? list.slice().reverse().map(e => {
        const [label, kind] = KINDS[e.kind] || [e.kind, 'muted'];
        return h('tr', { dataset: { event: e.kind } },
          h('td', { class: 'num' }, new Date(e.at).toLocaleTimeString()),
          h('td', {}, badge(label, kind), e.action ? ' ' + e.action + (e.protocol ? ' over ' + e.protocol : '') : ''),
          h('td', {}, e.domain || '–'),
          h('td', {}, e.detail || (e.session ? 'session ' + e.session : '')));
      }) : h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'Nothing recorded for this stream since the server started.')))));
}

export async function render(main) {
  const url = input('url', { type: 'url', required: true, placeholder: 'rtmp://push.example.com/live/demo?auth_key=…', style: 'min-width:0' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { 'aria-label': 'Diagnose a URL', style: 'display:grid;grid-template-columns:1fr auto;gap:12px;align-items:end' },
    field('Ingest or play URL', url, 'RTMP, SRT, artc://, WHIP/WHEP, HTTP-FLV or HLS — as the user has it'),
    h('div', { class: 'submit' }, h('button', { type: 'submit', class: 'primary' }, 'Diagnose')));
  url.type = 'text'; // srt:// and artc:// are not "url" to every browser's validation
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await post('/diagnose', { url: url.value.trim() });
      out.replaceChildren(h('div', { class: 'card' },
        h('h2', {}, 'Findings'),
        h('p', { class: 'lead' }, (r.action === 'publish' ? 'Publish' : 'Play') + ' over ' + r.protocol
          + (r.domain ? ' on ' + r.domain : '') + (r.app ? ' · /' + r.app + '/' + r.stream : '')),
        r.findings.map(f => h('div', { class: 'finding ' + f.severity, dataset: { code: f.code } },
          h('div', {}, badge(f.severity === 'ok' ? 'OK' : f.severity === 'warn' ? 'Warning' : 'Problem',
            f.severity === 'ok' ? 'ok' : f.severity === 'warn' ? 'warn' : 'bad'), ' ', h('strong', {}, f.message)),
          f.suggestion ? h('div', { class: 'suggest' }, f.suggestion) : null,
          h('div', { class: 'code' }, f.code)))),
        events(r));
    } catch (err) { toast(err.message, true); }
  });
  main.append(pageHeader('Troubleshooting', 'Paste a URL that does not work: the server checks the domain, the signature and the stream, and says what to change.'),
    h('div', { class: 'card' }, form), out);
  url.focus();
}
