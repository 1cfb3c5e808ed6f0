// API keys and accounts: who is signed in, the accounts (admin), new accounts, new keys, the
// keys of an account (id, label, created, last used) and revoking one.
// A key is shown once, when it is made: the server keeps only its hash.
import { h, field, input, badge, copyButton, pageHeader, emptyRow, toast } from '../ui.js';
import { get, post, del } from '../api.js';

export async function render(main, ctx) {
  const me = ctx.account;
  const issued = h('div', { 'aria-live': 'polite' });
  const listBody = h('tbody');

  function showKey(r, what) {
    issued.replaceChildren(h('div', { class: 'card notice', role: 'status' },
      h('strong', {}, what + ' for ' + r.account.name + ' — copy it now, it is shown only once. '), h('br'),
      h('code', { dataset: { apiKey: '' } }, r.apiKey), ' ', copyButton(r.apiKey, 'API key'),
      h('p', { class: 'lead', style: 'margin:6px 0 0' }, 'Send it as ', h('code', {}, 'Authorization: Bearer <key>'),
        '. Older keys of the account keep working.')));
  }

  async function newKey(a) {
    try { showKey(await post('/accounts/' + a.id + '/keys', {}), 'New API key'); await showKeys(a); }
    catch (e) { toast(e.message, true); }
  }

  // The keys of one account (the signed-in one, or the one picked in the table): id, label,
  // created, last used, and Revoke. The server never sends a key again, only its id.
  const keysTitle = h('h2', { style: 'padding:14px 16px 0' });
  const keysBody = h('tbody');
  const keysCard = h('div', { class: 'card flush' }, keysTitle,
    h('table', { 'aria-label': 'API keys' },
      h('thead', {}, h('tr', {}, ['Key id', 'Label', 'Created', 'Last used', ''].map(t => h('th', { scope: 'col' }, t)))),
      keysBody));
  async function showKeys(a) {
    keysTitle.textContent = 'API keys of ' + a.name;
    let keys;
    try { keys = (await get('/accounts/' + a.id + '/keys')).keys || []; }
    catch (e) { toast(e.message, true); return; }
    keysBody.replaceChildren();
    if (!keys.length) keysBody.append(emptyRow(5, 'No key: this account cannot use the API.'));
    for (const k of keys) {
      keysBody.append(h('tr', { dataset: { keyId: k.id } },
        h('td', {}, h('code', {}, k.id)),
        h('td', {}, k.label === 'bootstrap' ? badge('bootstrap', 'info') : k.label),
        h('td', {}, new Date(k.createdAt).toLocaleString()),
        h('td', {}, k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'),
        h('td', {}, h('button', { type: 'button', class: 'small danger', 'aria-label': 'Revoke key ' + k.id + ' of ' + a.name,
          onclick: async () => {
            if (!confirm('Revoke key ' + k.id + ' of ' + a.name + '? Whatever uses it gets 401 from now on.')) return;
            try { await del('/accounts/' + a.id + '/keys/' + k.id); toast('Key revoked'); await showKeys(a); }
            catch (e) { toast(e.message, true); }
          } }, 'Revoke'))));
    }
  }

  main.append(pageHeader('API keys', 'Accounts own domains; each has one or more API keys for this console, the REST API and the CLI.'),
    issued,
    h('div', { class: 'card' }, h('h2', {}, 'Signed in'),
      h('dl', { class: 'kv' }, h('dt', {}, 'Account'), h('dd', {}, me.name, ' ', me.admin ? badge('admin', 'info') : null),
        h('dt', {}, 'Domain quota'), h('dd', {}, me.domainQuota == null ? 'server default' : String(me.domainQuota))),
      h('button', { type: 'button', onclick: () => newKey(me) }, 'Create a new key for this account')),
    keysCard);
  await showKeys(me);

  if (!me.admin) return;

  const name = input('accountName', { required: true, placeholder: 'team-a' });
  const quota = input('domainQuota', { type: 'number', min: '0', step: '1', placeholder: '20' });
  const form = h('form', { class: 'grid', 'aria-label': 'Create an account' },
    field('Account name', name), field('Domain quota', quota, 'Empty: the server default (20 unless configured).'),
    h('div', { class: 'submit' }, h('button', { type: 'submit', class: 'primary' }, 'Create account')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await post('/accounts', { name: name.value.trim(), domainQuota: quota.value === '' ? null : Number(quota.value) });
      name.value = '';
      quota.value = '';
      showKey(r, 'Account created; its API key');
      await load();
    } catch (err) { toast(err.message, true); }
  });
  main.append(h('div', { class: 'card' }, h('h2', {}, 'Create an account'), form),
    h('div', { class: 'card flush' }, h('table', { 'aria-label': 'Accounts' },
      h('thead', {}, h('tr', {}, ['Account', 'Role', 'Domain quota', 'Created', ''].map(t => h('th', { scope: 'col' }, t)))),
      listBody)));

  async function load() {
    const accounts = (await get('/accounts')).accounts || [];
    listBody.replaceChildren();
    if (!accounts.length) listBody.append(emptyRow(5, 'No account.'));
    for (const a of accounts) {
      listBody.append(h('tr', { dataset: { account: a.name } },
        h('td', {}, h('strong', {}, a.name)),
        h('td', {}, a.admin ? badge('admin', 'info') : badge('tenant', 'muted')),
        h('td', { class: 'num' }, a.domainQuota == null ? 'server default' : String(a.domainQuota)),
        h('td', {}, new Date(a.createdAt).toLocaleString()),
        h('td', {}, h('button', { type: 'button', class: 'small', 'aria-label': 'API keys of ' + a.name,
          onclick: () => showKeys(a) }, 'Keys'), ' ',
          h('button', { type: 'button', class: 'small', 'aria-label': 'New API key for ' + a.name,
          onclick: () => newKey(a) }, 'New key'))));
    }
  }
  await load();
}
