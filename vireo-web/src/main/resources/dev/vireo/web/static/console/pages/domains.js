// Domains: add ingest and streaming domains, CNAME and its check, association, sub-streaming
// domains, RTS/HTML5 switches, the TLS certificate and the Type A URL signing settings.
import { h, field, input, select, toggle, badge, copyButton, pageHeader, emptyRow, toast } from '../ui.js';
import { get, post, put, patch, del } from '../api.js';

export async function render(main) {
  const listBody = h('tbody');
  const detail = h('div');
  let domains = [];
  let selected = null;
  let currentTab = 'overview'; // kept when the list reloads after a change

  const name = input('domain', { placeholder: 'live.example.com', required: true });
  const type = select('type', [['ingest', 'Ingest (publish)'], ['streaming', 'Streaming (play)']]);
  const region = input('region', { placeholder: 'eu', value: 'default' });
  const center = input('liveCenter', { placeholder: 'same as the region' });
  const addForm = h('form', { class: 'grid', 'aria-label': 'Add a domain' },
    field('Domain name', name), field('Type', type), field('Region', region), field('Live center', center),
    h('div', { class: 'submit' }, h('button', { type: 'submit', class: 'primary' }, 'Add domain')));
  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const d = await post('/domains', { domain: name.value.trim(), type: type.value, region: region.value.trim() || null,
        liveCenter: center.value.trim() || null });
      toast('Domain ' + d.domain + ' added');
      name.value = '';
      selected = d.domain;
      await load();
    } catch (err) { toast(err.message, true); }
  });

  main.append(pageHeader('Domains', 'Ingest domains receive streams; streaming domains play them once associated with an ingest domain.'),
    h('div', { class: 'card' }, h('h2', {}, 'Add a domain'), addForm),
    h('div', { class: 'card flush' }, h('table', { 'aria-label': 'Domains' },
      h('thead', {}, h('tr', {}, ['Domain', 'Type', 'Status', 'CNAME', 'Plays / publishes to', 'Signing', 'RTS'].map(t => h('th', { scope: 'col' }, t)))),
      listBody)),
    detail);

  async function load() {
    domains = (await get('/domains')).domains || [];
    listBody.replaceChildren();
    if (!domains.length) listBody.append(emptyRow(7, 'No domain yet: everything publishes and plays on the default vhost. Add an ingest and a streaming domain to sign URLs.'));
    for (const d of domains) {
      const open = () => { if (selected !== d.domain) currentTab = 'overview'; selected = d.domain; drawList(); drawDetail(); };
      const row = h('tr', { class: 'clickable' + (d.domain === selected ? ' selected' : ''), tabindex: '0', dataset: { domain: d.domain },
        onclick: open, onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } } },
        h('td', {}, h('strong', {}, d.domain)),
        h('td', {}, badge(d.type, d.type === 'ingest' ? 'info' : 'muted')),
        h('td', {}, badge(d.status, d.status === 'online' ? 'ok' : 'bad')),
        h('td', {}, badge(d.cnameStatus, d.cnameStatus === 'configured' ? 'ok' : d.cnameStatus === 'missing' ? 'bad' : 'muted')),
        h('td', {}, d.type === 'streaming' ? (d.ingestDomain || (d.mainDomain ? ['as ', h('strong', {}, d.mainDomain), ' (sub-domain)']
          : badge('not associated', 'warn'))) : (d.streamingDomains.join(', ') || '–')),
        h('td', {}, d.signingEnabled ? badge('Type A · ' + d.signingValidityMinutes + ' min', 'ok') : badge('off', 'warn')),
        h('td', {}, d.type === 'streaming' ? (d.rtsEnabled ? badge('on', 'ok') : badge('off', 'muted')) : '–'));
      listBody.append(row);
    }
    drawDetail();
  }

  function drawList() {
    for (const tr of listBody.querySelectorAll('tr[data-domain]')) tr.classList.toggle('selected', tr.dataset.domain === selected);
  }

  async function drawDetail() {
    const d = domains.find(x => x.domain === selected);
    if (!d) { detail.replaceChildren(); return; }
    const panel = h('div', { role: 'tabpanel' });
    const tabs = [['overview', 'Overview'], ['signing', 'URL signing'], ['certificate', 'HTTPS certificate']];
    if (d.type === 'streaming') tabs.splice(1, 0, ['subs', 'Sub-streaming domains']);
    const tabButtons = tabs.map(([id, label]) => h('button', { type: 'button', role: 'tab', id: 'tab-' + id, 'aria-selected': 'false',
      onclick: () => choose(id) }, label));
    const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Domain settings' }, tabButtons);
    tabList.addEventListener('keydown', (e) => {
      const i = tabButtons.indexOf(document.activeElement);
      if (i < 0 || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
      const next = tabButtons[(i + (e.key === 'ArrowRight' ? 1 : tabButtons.length - 1)) % tabButtons.length];
      next.focus();
      next.click();
    });
    function choose(id) {
      currentTab = id;
      tabButtons.forEach((b, i) => { b.setAttribute('aria-selected', String(tabs[i][0] === id)); b.tabIndex = tabs[i][0] === id ? 0 : -1; });
      panel.setAttribute('aria-labelledby', 'tab-' + id);
      panel.replaceChildren();
      const draw = { overview, signing, subs, certificate }[id];
      draw(d, panel).catch(e => toast(e.message, true));
    }
    detail.replaceChildren(h('div', { class: 'card', 'aria-label': 'Domain ' + d.domain },
      h('div', { class: 'topbar' }, h('h2', {}, d.domain),
        h('button', { type: 'button', class: 'small danger', onclick: () => remove(d) }, 'Delete domain')),
      tabList, panel));
    choose(tabs.some(t => t[0] === currentTab) ? currentTab : 'overview');
  }

  async function overview(d, panel) {
    const cnameResult = h('span', { 'aria-live': 'polite' });
    const verify = h('button', { type: 'button', class: 'small', onclick: async () => {
      verify.disabled = true;
      cnameResult.textContent = 'checking…';
      try {
        const r = await post('/domains/' + encodeURIComponent(d.domain) + '/cname-check', {});
        cnameResult.replaceChildren(r.configured ? badge('CNAME found', 'ok')
          : badge('not found' + (r.found && r.found.length ? ': ' + r.found.join(', ') : ''), 'bad'));
        await load();
      } catch (e) { cnameResult.textContent = e.message; }
      verify.disabled = false;
    } }, 'Verify');
    panel.append(h('dl', { class: 'kv' },
      h('dt', {}, 'Type'), h('dd', {}, d.type),
      h('dt', {}, 'Region / live center'), h('dd', {}, (d.region || '–') + ' / ' + (d.liveCenter || '–')),
      h('dt', {}, 'CNAME target'), h('dd', {}, h('code', {}, d.cname), ' ', copyButton(d.cname, 'CNAME target'), ' ', verify, ' ', cnameResult),
      h('dt', {}, 'Created'), h('dd', {}, new Date(d.createdAt).toLocaleString())),
      h('p', { class: 'lead' }, 'At your DNS provider, point ', h('code', {}, d.domain), ' to the CNAME target with a CNAME record, then verify.'));

    const switches = h('div');
    switches.append(toggle('Online', d.status === 'online', 'Offline domains refuse every publish and play.',
      (on, box) => change({ status: on ? 'online' : 'offline' }, box)));
    if (d.type === 'streaming') {
      switches.append(
        toggle('RTS (WebRTC playback)', d.rtsEnabled, 'artc:// and WHEP playback on this domain.', (on, box) => change({ rtsEnabled: on }, box)),
        toggle('HTML5 auto transcoding', d.html5Transcoding, 'AAC → Opus and B-frames removed for WebRTC viewers.', (on, box) => change({ html5Transcoding: on }, box)));
      const ingests = domains.filter(x => x.type === 'ingest').map(x => x.domain);
      const assoc = select('ingestDomain', [['', ingests.length ? 'Choose an ingest domain' : 'No ingest domain yet'], ...ingests], d.ingestDomain || '');
      const assocForm = h('form', { class: 'inline', 'aria-label': 'Association' },
        field('Plays streams of (ingest domain)', assoc),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Associate'),
          d.ingestDomain ? h('button', { type: 'button', onclick: async () => {
            try { await del('/domains/' + encodeURIComponent(d.domain) + '/association'); toast('Association removed'); await load(); }
            catch (e) { toast(e.message, true); }
          } }, 'Dissociate') : null));
      assocForm.addEventListener('submit', async (e) => {
        e.preventDefault();
        if (!assoc.value) { toast('Choose an ingest domain first', true); return; }
        try {
          await put('/domains/' + encodeURIComponent(d.domain) + '/association', { ingestDomain: assoc.value });
          toast(d.domain + ' now plays streams of ' + assoc.value);
          await load();
        } catch (err) { toast(err.message, true); }
      });
      panel.append(h('h2', {}, 'Association'), assocForm);
    }
    panel.append(h('h2', { style: 'margin-top:18px' }, 'Switches'), switches);

    async function change(body, box) {
      box.disabled = true;
      try { await patch('/domains/' + encodeURIComponent(d.domain), body); toast('Saved'); await load(); }
      catch (e) { box.checked = !box.checked; toast(e.message, true); }
      box.disabled = false;
    }
  }

  async function signing(d, panel) {
    const s = await get('/domains/' + encodeURIComponent(d.domain) + '/signing');
    const enabled = toggle('Type A URL signing', s.enabled, 'auth_key={timestamp}-{rand}-{uid}-{md5hash}');
    const primary = h('input', { type: 'password', name: 'primaryKey', autocomplete: 'off', spellcheck: 'false', value: s.primaryKey || '' });
    const secondary = h('input', { type: 'password', name: 'secondaryKey', autocomplete: 'off', spellcheck: 'false', value: s.secondaryKey || '' });
    const validity = input('validityMinutes', { type: 'number', min: '1', step: '1', value: String(s.validityMinutes) });
    const reveal = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false', onclick: () => {
      const show = primary.type === 'password';
      primary.type = secondary.type = show ? 'text' : 'password';
      reveal.textContent = show ? 'Hide keys' : 'Show keys';
      reveal.setAttribute('aria-pressed', String(show));
    } }, 'Show keys');
    const regenerate = h('button', { type: 'button', class: 'small', onclick: () => {
      primary.value = randomKey();
      toast('New primary key generated: save to use it. URLs signed with the old key stop working.');
    } }, 'Regenerate primary');
    const form = h('form', { 'aria-label': 'URL signing' }, enabled,
      h('div', { class: 'grid', style: 'display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:14px 16px;margin:8px 0 14px' },
        field('Primary key', primary, 'Signs generated URLs.'),
        field('Secondary key', secondary, 'Also accepted: rotate keys without downtime.'),
        field('Validity (minutes)', validity, 'A URL is refused after timestamp + validity.')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save signing'), reveal, regenerate));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await put('/domains/' + encodeURIComponent(d.domain) + '/signing', { enabled: enabled.control.checked,
          primaryKey: primary.value || null, secondaryKey: secondary.value || null, validityMinutes: Number(validity.value) });
        toast('Signing saved');
        await load();
      } catch (err) { toast(err.message, true); }
    });
    panel.append(form);
  }

  // Sub-streaming domains play what their main streaming domain plays (same ingest, same switches).
  async function subs(d, panel) {
    if (d.mainDomain) {
      panel.append(h('p', { class: 'lead' }, d.domain + ' is a sub-streaming domain of ', h('strong', {}, d.mainDomain),
        ': it plays the streams its main domain plays.'),
        h('button', { type: 'button', onclick: () => unbind(d.mainDomain, d.domain) }, 'Unbind from ' + d.mainDomain));
      return;
    }
    const candidates = domains.filter(x => x.type === 'streaming' && x.domain !== d.domain && !x.mainDomain
      && !x.ingestDomain && !(d.subDomains || []).includes(x.domain)).map(x => x.domain);
    const list = h('ul', { class: 'plain', 'aria-label': 'Sub-streaming domains of ' + d.domain },
      (d.subDomains || []).length ? d.subDomains.map(sd => h('li', { dataset: { sub: sd } }, h('code', {}, sd), ' ',
        h('button', { type: 'button', class: 'small', 'aria-label': 'Unbind ' + sd, onclick: () => unbind(d.domain, sd) }, 'Unbind')))
        : h('li', { class: 'muted' }, 'None yet.'));
    const choice = select('subDomain', [['', candidates.length ? 'Choose a streaming domain' : 'No free streaming domain'], ...candidates], '');
    const form = h('form', { class: 'inline', 'aria-label': 'Bind a sub-streaming domain' },
      field('Add a sub-streaming domain', choice, 'A streaming domain with no association of its own.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Bind')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!choice.value) { toast('Choose a streaming domain first', true); return; }
      try {
        await put('/domains/' + encodeURIComponent(d.domain) + '/sub-domains/' + encodeURIComponent(choice.value), {});
        toast(choice.value + ' now plays what ' + d.domain + ' plays');
        await load();
      } catch (err) { toast(err.message, true); }
    });
    panel.append(h('p', { class: 'lead' }, 'Sub-streaming domains play the same streams as ' + d.domain
      + ' under another name (e.g. a CDN or a second brand).'), list, form);
  }

  async function unbind(main, sub) {
    try {
      await del('/domains/' + encodeURIComponent(main) + '/sub-domains/' + encodeURIComponent(sub));
      toast(sub + ' unbound');
      await load();
    } catch (e) { toast(e.message, true); }
  }

  // The PEM certificate chain and key served on the HTTPS port for this name (SNI).
  async function certificate(d, panel) {
    const info = h('div', { 'aria-live': 'polite' });
    async function show() {
      // Asked only when the domain has one (its view says until when): no 404 in the browser console.
      let c = null;
      if (d.certificateNotAfter) {
        try { c = await get('/domains/' + encodeURIComponent(d.domain) + '/certificate'); }
        catch (e) { if (e.status !== 404) throw e; }
      }
      if (!c) {
        info.replaceChildren(h('p', { class: 'lead' }, 'No certificate: browsers need HTTPS on ' + d.domain
          + ' for WebRTC pages and for players on HTTPS sites. Upload the PEM chain and its private key.'));
        return;
      }
      const expires = new Date(c.notAfter);
      const days = Math.floor((expires - Date.now()) / 86400000);
      info.replaceChildren(h('dl', { class: 'kv', dataset: { certificate: c.sha256Fingerprint } },
        h('dt', {}, 'Subject'), h('dd', {}, c.subject),
        h('dt', {}, 'Issuer'), h('dd', {}, c.issuer),
        h('dt', {}, 'Names'), h('dd', {}, (c.names || []).join(', ')),
        h('dt', {}, 'Valid'), h('dd', {}, new Date(c.notBefore).toLocaleDateString() + ' – ' + expires.toLocaleDateString(), ' ',
          days < 0 ? badge('expired', 'bad') : days < 21 ? badge('expires in ' + days + ' days', 'warn') : badge(days + ' days left', 'ok')),
        h('dt', {}, 'SHA-256'), h('dd', {}, h('code', { style: 'word-break:break-all' }, c.sha256Fingerprint)),
        h('dt', {}, 'Uploaded'), h('dd', {}, new Date(c.uploadedAt).toLocaleString())),
        h('button', { type: 'button', class: 'small danger', onclick: async () => {
          try { await del('/domains/' + encodeURIComponent(d.domain) + '/certificate'); toast('Certificate removed'); await load(); }
          catch (e) { toast(e.message, true); }
        } }, 'Remove certificate'));
    }
    const certText = h('textarea', { name: 'certificate', rows: '6', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' });
    const keyText = h('textarea', { name: 'privateKey', rows: '6', spellcheck: 'false', autocomplete: 'off', placeholder: '-----BEGIN PRIVATE KEY-----' });
    const certFile = h('input', { type: 'file', name: 'certificateFile', accept: '.pem,.crt,.cer' });
    const keyFile = h('input', { type: 'file', name: 'privateKeyFile', accept: '.pem,.key' });
    certFile.addEventListener('change', async () => { if (certFile.files[0]) certText.value = await certFile.files[0].text(); });
    keyFile.addEventListener('change', async () => { if (keyFile.files[0]) keyText.value = await keyFile.files[0].text(); });
    const form = h('form', { 'aria-label': 'Upload a certificate' },
      h('div', { class: 'two' },
        h('div', {}, field('Certificate chain (PEM)', certText, 'Leaf first, then intermediates.'), field('…or a file', certFile)),
        h('div', {}, field('Private key (PEM)', keyText, 'Stored on the server only; never shown again.'), field('…or a file', keyFile))),
      h('div', { class: 'actions', style: 'margin-top:12px' }, h('button', { type: 'submit', class: 'primary' }, 'Upload certificate')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await put('/domains/' + encodeURIComponent(d.domain) + '/certificate', { certificate: certText.value, privateKey: keyText.value });
        keyText.value = '';
        toast('Certificate installed for ' + d.domain);
        await load(); // redraws this tab with the new certificate
      } catch (err) { toast(err.message, true); }
    });
    await show();
    panel.append(info, h('h2', { style: 'margin-top:18px' }, 'Upload'), form);
  }

  async function remove(d) {
    if (!confirm('Delete ' + d.domain + '? Its streams end and its URLs stop working.')) return;
    try { await del('/domains/' + encodeURIComponent(d.domain)); toast('Deleted ' + d.domain); selected = null; await load(); }
    catch (e) { toast(e.message, true); }
  }

  await load();
}

function randomKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
