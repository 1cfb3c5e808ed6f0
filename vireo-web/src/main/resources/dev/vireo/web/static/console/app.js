// The console shell: sign-in, navigation, and one module per page (history-API routes under
// /console/). Each page module exports render(main) and may return a cleanup function.
import { h, field, toast } from './ui.js';
import { get, hasKey, setKey, signOut, ApiError } from './api.js';

const PAGES = [
  { path: 'streams', title: 'Streams', module: './pages/streams.js' },
  { path: 'domains', title: 'Domains', module: './pages/domains.js' },
  { path: 'urls', title: 'URL generator', module: './pages/urls.js' },
  { path: 'templates', title: 'Templates', module: './pages/templates.js' },
  { path: 'webhooks', title: 'Webhooks', module: './pages/webhooks.js' },
  { path: 'keys', title: 'API keys', module: './pages/accounts.js' },
  { path: 'diagnose', title: 'Troubleshooting', module: './pages/diagnose.js' }
];

const root = document.getElementById('root');
let cleanup = null;
let account = null;
let signingIn = false; // a refused key during sign-in is answered by the form, not the session handler

function currentPage() {
  const rest = location.pathname.replace(/^\/console\/?/, '').split('/')[0];
  return PAGES.find(p => p.path === rest) || PAGES[0];
}

export function navigate(path) {
  history.pushState(null, '', '/console/' + path);
  show();
}

function renderSignIn(message) {
  const key = h('input', { type: 'password', name: 'apiKey', autocomplete: 'current-password', required: true,
    spellcheck: 'false' });
  const error = h('div', { class: 'error-text', role: 'alert' }, message || '');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'card', 'aria-labelledby': 'signin-title' },
    h('div', { class: 'brand' }, h('img', { src: '/favicon.svg', alt: '' }), h('span', { id: 'signin-title' }, 'Vireo console')),
    h('p', { class: 'lead' }, 'Sign in with the admin API key printed at the first start (or set with VIREO_ADMIN_KEY).'),
    field('Admin API key', key, 'Kept in this browser tab only.'),
    error,
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    button.disabled = true;
    setKey(key.value.trim());
    signingIn = true;
    try {
      account = await get('/account');
      signingIn = false;
      show();
    } catch (err) {
      signingIn = false;
      signOut();
      error.textContent = err instanceof ApiError && err.status === 401
        ? 'That key is not valid on this server.' : 'Cannot reach the server: ' + err.message;
      button.disabled = false;
      key.focus();
    }
  });
  root.replaceChildren(h('div', { class: 'signin' }, form));
  key.focus();
}

async function show() {
  if (cleanup) { try { cleanup(); } catch (e) { /* page already gone */ } cleanup = null; }
  if (!hasKey()) { renderSignIn(); return; }
  if (!account) {
    try { account = await get('/account'); } catch (e) { signOut(); renderSignIn(); return; }
  }
  document.querySelector('.toast')?.remove();
  const page = currentPage();
  document.title = page.title + ' · Vireo console';
  const nav = h('nav', { class: 'side', 'aria-label': 'Console' },
    h('a', { class: 'brand', href: '/console/' }, h('img', { src: '/favicon.svg', alt: '' }), 'Vireo'),
    PAGES.map(p => h('a', { class: 'item', href: '/console/' + p.path, 'aria-current': p === page ? 'page' : null,
      onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate(p.path); } } }, p.title)),
    h('div', { class: 'sep' }),
    h('a', { class: 'item', href: '/tools/clock', target: '_blank', rel: 'noopener' }, 'Latency clock'),
    h('a', { class: 'item', href: '/api/docs', target: '_blank', rel: 'noopener' }, 'API reference'),
    h('div', { class: 'foot' }, 'Signed in as ', h('strong', {}, account.name || 'admin'), h('br'),
      h('button', { type: 'button', class: 'small', style: 'margin-top:6px',
        onclick: () => { signOut(); account = null; history.pushState(null, '', '/console/'); show(); } }, 'Sign out')));
  const main = h('main', { id: 'main', tabindex: '-1' });
  root.replaceChildren(h('div', { class: 'layout' }, nav, main));
  try {
    const mod = await import(page.module);
    cleanup = await mod.render(main, { navigate, account }) || null;
  } catch (e) {
    main.replaceChildren(h('div', { class: 'card' }, h('h2', {}, 'This page failed to load'), h('p', {}, e.message)));
  }
}

window.addEventListener('popstate', show);
window.addEventListener('vireo-unauthorized', () => {
  if (signingIn || !account) return;
  signOut();
  account = null;
  toast('Your key was refused: sign in again', true);
  renderSignIn('Your key was refused: sign in again.');
});
show();
