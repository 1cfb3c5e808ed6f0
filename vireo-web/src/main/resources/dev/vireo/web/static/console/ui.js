// Small DOM helpers shared by the console pages: h() builds elements, no innerHTML anywhere
// (values from the API are always text).

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

let toastTimer = null;
export function toast(message, isError) {
  document.querySelector('.toast')?.remove();
  const t = h('div', { class: 'toast' + (isError ? ' error' : ''), role: isError ? 'alert' : 'status' }, message);
  document.body.append(t);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.remove(), isError ? 6000 : 2500);
}

let fieldIds = 0;
/** A labelled form field; returns the wrapper, the control is wrapper.control. */
export function field(label, control, hint) {
  const id = control.id || ('f' + (++fieldIds));
  control.id = id;
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('span', { class: 'hint', id: id + '-hint' }, hint) : null);
  if (hint) control.setAttribute('aria-describedby', id + '-hint');
  wrap.control = control;
  return wrap;
}

export function input(name, attrs) {
  return h('input', Object.assign({ type: 'text', name: name, autocomplete: 'off' }, attrs || {}));
}

export function select(name, options, value) {
  const s = h('select', { name: name });
  for (const o of options) {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    const opt = h('option', { value: v }, label);
    if (v === value) opt.selected = true;
    s.append(opt);
  }
  return s;
}

/** A checkbox switch with a visible label and an optional hint. */
export function toggle(label, checked, hint, onchange) {
  const box = h('input', { type: 'checkbox', role: 'switch' });
  box.checked = !!checked;
  if (onchange) box.addEventListener('change', () => onchange(box.checked, box));
  const id = 'sw' + (++fieldIds);
  box.id = id;
  const row = h('div', { class: 'switch' }, box, h('label', { for: id, class: 'label' }, label),
    hint ? h('span', { class: 'hint' }, hint) : null);
  row.control = box;
  return row;
}

export function badge(text, kind) {
  return h('span', { class: 'badge ' + (kind || 'muted') }, text);
}

export async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast((what || 'Text') + ' copied');
  } catch (e) {
    // Clipboard refused (no focus, no permission): select a hidden field as a fallback.
    const area = h('textarea', { 'aria-hidden': 'true', style: 'position:fixed;left:-9999px' });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
    toast((what || 'Text') + ' copied');
  }
}

export function copyButton(text, what) {
  return h('button', { type: 'button', class: 'small', 'aria-label': 'Copy ' + (what || 'value'),
    onclick: () => copy(text, what) }, 'Copy');
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return '–';
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400), hh = Math.floor(s % 86400 / 3600), mm = Math.floor(s % 3600 / 60), ss = s % 60;
  if (d) return d + 'd ' + hh + 'h';
  if (hh) return hh + 'h ' + String(mm).padStart(2, '0') + 'm';
  return mm + 'm ' + String(ss).padStart(2, '0') + 's';
}

export function fmtKbps(kbps) {
  if (!kbps) return '–';
  return kbps >= 1000 ? (kbps / 1000).toFixed(2) + ' Mbit/s' : Math.round(kbps) + ' kbit/s';
}

export function pageHeader(title, lead, ...extra) {
  return h('div', { class: 'topbar' }, h('div', {}, h('h1', {}, title), lead ? h('p', { class: 'lead' }, lead) : null),
    h('div', { class: 'actions' }, extra));
}

export function emptyRow(cols, text) {
  return h('tr', {}, h('td', { colspan: cols, class: 'empty' }, text));
}
