// A millisecond clock synchronised to the server, NTP style over HTTP: each sample is
// t0 (sent), the server's time ts, t1 (received); the offset is ts - (t0 + t1) / 2 and its
// error at most half the round trip. The sample with the shortest round trip wins.
const SAMPLES = 12;
const $ = (id) => document.getElementById(id);
let offset = null;   // server time minus this device's time (ms)
let error = null;

async function sample() {
  const t0 = performance.timeOrigin + performance.now();
  const res = await fetch('/tools/time', { cache: 'no-store' });
  const t1 = performance.timeOrigin + performance.now();
  const ts = (await res.json()).serverTimeMs;
  return { offset: ts - (t0 + t1) / 2, error: (t1 - t0) / 2 };
}

async function sync() {
  $('offset').textContent = 'measuring…';
  let best = null;
  for (let i = 0; i < SAMPLES; i++) {
    try {
      const s = await sample();
      if (!best || s.error < best.error) best = s;
      $('samples').textContent = String(i + 1);
    } catch (e) {
      $('offset').textContent = 'cannot reach the server';
      return;
    }
  }
  offset = best.offset;
  error = best.error;
  $('offset').textContent = (offset >= 0 ? '+' : '') + Math.round(offset) + ' ms';
  $('error').textContent = '± ' + Math.max(1, Math.round(error)) + ' ms';
  window.vireoClock = { offset: offset, error: error };
}

function pad(n, w) { return String(n).padStart(w, '0'); }

function draw() {
  const now = new Date(performance.timeOrigin + performance.now() + (offset || 0));
  $('clock').textContent = pad(now.getUTCHours(), 2) + ':' + pad(now.getUTCMinutes(), 2) + ':'
    + pad(now.getUTCSeconds(), 2) + '.' + pad(now.getUTCMilliseconds(), 3);
  requestAnimationFrame(draw);
}

$('resync').addEventListener('click', sync);
sync();
requestAnimationFrame(draw);
