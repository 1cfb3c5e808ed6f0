// Webhooks: per domain, the URL that receives publish/unpublish/play/stop/record_done events,
// signed with HMAC-SHA256; optionally allowed to refuse a publisher (on-publish auth).
import { h, field, input, select, toggle, badge, copyButton, pageHeader, emptyRow, toast } from '../ui.js';
import { get, put, del } from '../api.js';

export async function render(main) {
  const listBody = h('tbody');
  const secretBox = h('div', { 'aria-live': 'polite' });
  let domains = [];

  const domain = select('notifyDomain', [['', 'Loading…']], '');
  const url = input('notifyUrl', { type: 'url', required: true, placeholder: 'https://hooks.example.com/vireo' });
  const secret = h('input', { type: 'password', name: 'notifySecret', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'leave empty to keep it, or to generate one' });
  const auth = toggle('On-publish auth', false, 'A 401/403 answer (or no 2xx within webhooks.auth-timeout) refuses the publisher.');
  const form = h('form', { class: 'grid', 'aria-label': 'Set a webhook' },
    field('Domain', domain), field('Notify URL', url, 'http(s); private and loopback addresses are refused unless webhooks.allow names them.'),
    field('Signing secret', secret, 'HMAC-SHA256 key of the signature header.'),
    h('div', { class: 'submit' }, auth),
    h('div', { class: 'submit' }, h('button', { type: 'submit', class: 'primary' }, 'Save webhook')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!domain.value) { toast('Choose a domain first', true); return; }
    try {
      const r = await put('/domains/' + encodeURIComponent(domain.value) + '/notify', { url: url.value.trim(),
        secret: secret.value || null, onPublishAuth: auth.control.checked });
      secret.value = '';
      secretBox.replaceChildren(r.secret ? h('div', { class: 'card notice', role: 'status' },
        h('strong', {}, 'Signing secret generated for ' + domain.value + ' — shown only now. '),
        h('code', { dataset: { secret: '' } }, r.secret), ' ', copyButton(r.secret, 'Secret'),
        h('p', { class: 'lead', style: 'margin:6px 0 0' }, 'Check each POST with HMAC-SHA256(secret, body) against the ' + r.signatureHeader + ' header.')) : '');
      toast('Webhook saved for ' + domain.value);
      await load();
    } catch (err) { toast(err.message, true); }
  });

  main.append(pageHeader('Webhooks', 'Each domain can notify one URL of its streams\u2019 events: publish, unpublish, play, stop and record_done.'),
    h('div', { class: 'card' }, h('h2', {}, 'Set a webhook'), form), secretBox,
    h('div', { class: 'card flush' }, h('table', { 'aria-label': 'Webhooks' },
      h('thead', {}, h('tr', {}, ['Domain', 'Type', 'Notify URL', 'On-publish auth', ''].map(t => h('th', { scope: 'col' }, t)))),
      listBody)),
    h('div', { class: 'card' }, h('h2', {}, 'What is sent'),
      h('p', {}, 'A JSON POST per event: ', h('code', {}, '{"id","event","time","domain","vhost","app","stream","sessionId"}'),
        ' (record_done adds "recording"), retried with the same id until a 2xx. The full format is in the ', h('a', { href: '/api/docs', target: '_blank', rel: 'noopener' }, 'API reference'), '.')));

  async function load() {
    domains = (await get('/domains')).domains || [];
    const chosen = domain.value;
    domain.replaceChildren(h('option', { value: '' }, domains.length ? 'Choose a domain' : 'No domain yet'),
      ...domains.map(d => h('option', { value: d.domain }, d.domain + ' (' + d.type + ')')));
    domain.value = domains.some(d => d.domain === chosen) ? chosen : '';
    const withHooks = [];
    for (const d of domains.filter(d => d.notifyUrl)) {
      let n = null;
      try { n = await get('/domains/' + encodeURIComponent(d.domain) + '/notify'); } catch (e) { /* removed meanwhile */ }
      if (n) withHooks.push([d, n]);
    }
    listBody.replaceChildren();
    if (!withHooks.length) listBody.append(emptyRow(5, 'No webhook yet.'));
    for (const [d, n] of withHooks) {
      listBody.append(h('tr', { dataset: { domain: d.domain } },
        h('td', {}, h('strong', {}, d.domain)),
        h('td', {}, badge(d.type, d.type === 'ingest' ? 'info' : 'muted')),
        h('td', {}, h('code', {}, n.url)),
        h('td', {}, n.onPublishAuth ? badge('on', 'ok') : badge('off', 'muted')),
        h('td', {}, h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'small', onclick: () => {
            domain.value = d.domain; url.value = n.url; auth.control.checked = n.onPublishAuth; url.focus();
          } }, 'Edit'),
          h('button', { type: 'button', class: 'small danger', 'aria-label': 'Remove the webhook of ' + d.domain, onclick: async () => {
            try { await del('/domains/' + encodeURIComponent(d.domain) + '/notify'); toast('Webhook removed'); await load(); }
            catch (e) { toast(e.message, true); }
          } }, 'Remove')))));
    }
  }

  await load();
}
