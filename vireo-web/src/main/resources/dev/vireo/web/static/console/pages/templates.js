// Transcoding templates: play {stream}_{id} on any protocol.
import { h, field, input, select, pageHeader, emptyRow, toast, fmtKbps } from '../ui.js';
import { get, post, del } from '../api.js';

export async function render(main) {
  const body = h('tbody');
  const id = input('id', { placeholder: 'hd720', required: true, pattern: '[A-Za-z0-9]+' });
  const width = input('width', { type: 'number', min: '16', placeholder: 'auto' });
  const height = input('height', { type: 'number', min: '16', value: '720' });
  const vbr = input('videoBitrateKbps', { type: 'number', min: '50', value: '2000' });
  const fps = input('fps', { type: 'number', min: '1', value: '30' });
  const gop = input('gop', { type: 'number', min: '1', value: '30' });
  const acodec = select('audioCodec', [['aac', 'AAC'], ['opus', 'Opus']]);
  const abr = input('audioBitrateKbps', { type: 'number', min: '8', value: '96' });
  const form = h('form', { class: 'grid', 'aria-label': 'Create a template' },
    field('Template id', id, 'Letters and digits'), field('Width', width), field('Height', height),
    field('Video bitrate (kbit/s)', vbr), field('Frame rate', fps), field('GOP (frames)', gop),
    field('Audio codec', acodec), field('Audio bitrate (kbit/s)', abr),
    h('div', { class: 'submit' }, h('button', { type: 'submit', class: 'primary' }, 'Create template')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const num = (el) => el.value ? Number(el.value) : null;
    try {
      await post('/templates', { id: id.value.trim(), videoCodec: 'h264', width: num(width), height: num(height),
        videoBitrateKbps: num(vbr), fps: num(fps), gop: num(gop), audioCodec: acodec.value, audioBitrateKbps: num(abr) });
      toast('Template ' + id.value + ' created: play {stream}_' + id.value);
      id.value = '';
      await load();
    } catch (err) { toast(err.message, true); }
  });
  main.append(pageHeader('Templates', 'Play any stream transcoded as {stream}_{template id}. Built in: lld 360p, lsd 480p, lhd 720p, lud 1080p.'),
    h('div', { class: 'card' }, h('h2', {}, 'Create a template'), form),
    h('div', { class: 'card flush' }, h('table', { 'aria-label': 'Templates' },
      h('thead', {}, h('tr', {}, ['Id', 'Video', 'Frame rate / GOP', 'Audio', 'Created', ''].map(t => h('th', { scope: 'col' }, t)))), body)));

  async function load() {
    const list = (await get('/templates')).templates || [];
    body.replaceChildren();
    if (!list.length) body.append(emptyRow(6, 'No template of your own yet; the built-in ones are always there.'));
    for (const t of list) {
      body.append(h('tr', {},
        h('td', {}, h('strong', {}, t.id)),
        h('td', { class: 'num' }, t.videoCodec.toUpperCase() + ' ' + (t.width ? t.width + '×' + t.height : t.height + 'p') + ' · ' + fmtKbps(t.videoBitrateKbps)),
        h('td', { class: 'num' }, t.fps + ' fps / ' + t.gop),
        h('td', { class: 'num' }, t.audioCodec + ' · ' + fmtKbps(t.audioBitrateKbps)),
        h('td', {}, new Date(t.createdAt).toLocaleString()),
        h('td', {}, h('button', { type: 'button', class: 'small danger', onclick: async () => {
          if (!confirm('Delete template ' + t.id + '? Its running transcodes stop.')) return;
          try { await del('/templates/' + encodeURIComponent(t.id)); toast('Deleted'); await load(); } catch (e) { toast(e.message, true); }
        } }, 'Delete'))));
    }
  }
  await load();
}
