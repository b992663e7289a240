// CameraNet dashboard: plain JavaScript, no external library, nothing loaded from outside this server.
'use strict';

const state = { token: sessionStorage.getItem('cameranet.token'), me: null, divisions: new Map(), pages: [], live: null };
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const esc = text => String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.errors = problem?.errors || {};
  }
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) { headers['Content-Type'] = 'application/json'; options.body = JSON.stringify(options.json); }
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401 && path !== '/api/auth/login') { signOut(); throw new ApiError(401, { title: 'signed out' }); }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// ---- sign in / out ----
$('#login-form').addEventListener('submit', async event => {
  event.preventDefault();
  const form = event.target;
  $('#login-error').textContent = '';
  try {
    const result = await api('/api/auth/login', { method: 'POST', json: { username: form.username.value.trim(), password: form.password.value, purpose: form.purpose.value.trim() || null } });
    state.token = result.token;
    sessionStorage.setItem('cameranet.token', result.token);
    await start();
  } catch (e) {
    $('#login-error').textContent = e.status === 401 ? '用户名或密码错误 User name or password is wrong' : e.message;
  }
});

function signOut() {
  state.token = null;
  sessionStorage.removeItem('cameranet.token');
  stopLive();
  $('#tabs').hidden = true;
  $$('main > section').forEach(s => { s.hidden = s.id !== 'login'; });
  $('#who').textContent = '';
}

async function start() {
  state.me = await api('/api/auth/me');
  const role = state.me.role;
  $('#who').innerHTML = `${esc(state.me.name)} · ${esc(role)}${state.me.districts.length ? ' · ' + esc(state.me.districts.join(', ')) : ''} <button type="button" id="sign-out">退出 Sign out</button>`;
  $('#sign-out').onclick = async () => { try { await api('/api/auth/logout', { method: 'POST' }); } catch { } signOut(); };
  $$('[data-role]').forEach(el => { el.hidden = !el.dataset.role.split(' ').includes(role); });
  $('#tabs').hidden = false;
  const divisions = await api('/api/divisions');
  divisions.forEach(d => state.divisions.set(d.code, d));
  const districts = divisions.filter(d => d.level === 'district');
  const options = districts.map(d => `<option value="${d.code}">${esc(d.name)} ${d.code}</option>`).join('');
  $('#camera-filter select[name=district]').insertAdjacentHTML('beforeend', options);
  $('#register-form select[name=districtCode]').innerHTML = options;
  const liveDistricts = districts.filter(d => state.me.districts.includes(d.code));
  $('#live-purpose-label').hidden = Boolean(state.me.purpose);
  $('#live-district').innerHTML = liveDistricts.map(d => `<option value="${d.code}">${esc(d.name)} ${d.code}</option>`).join('');
  townshipsFollow($('#camera-filter select[name=district]'), $('#camera-filter select[name=township]'));
  townshipsFollow($('#live-district'), $('#live-township'));
  show('map');
}

/** Fills a township select with the townships of the district chosen in another. */
function townshipsFollow(districtSelect, townshipSelect) {
  const fill = () => {
    const first = townshipSelect.options[0].outerHTML;
    const townships = [...state.divisions.values()].filter(d => d.level === 'township' && d.parentCode === districtSelect.value);
    townshipSelect.innerHTML = first + townships.map(t => `<option value="${t.code}">${esc(t.name)}</option>`).join('');
  };
  districtSelect.addEventListener('change', fill);
  fill();
}

$$('#tabs button').forEach(b => b.addEventListener('click', () => show(b.dataset.tab)));

function show(tab) {
  $$('#tabs button').forEach(b => b.classList.toggle('active', b.dataset.tab === tab));
  $$('main > section').forEach(s => { s.hidden = s.id !== tab; });
  const load = { map: showMap, cameras: () => loadCameras(true), live: async () => { }, health: loadHealth }[tab];
  load().catch(e => {
    const section = $(`#${tab}`);
    $('.load-error', section)?.remove();
    section.insertAdjacentHTML('afterbegin', `<p class="error load-error">无法加载 Could not load: ${esc(e.message)}</p>`);
  });
}

const name = code => state.divisions.get(code)?.name ?? code;

// ---- map: the division polygons themselves are the base layer ----
const map = { level: 'district', district: null, shapes: {}, coverage: null };
const classes = {
  coveragePct: { breaks: [1, 5, 15, 30, 50], unit: '%', scale: v => v },
  camerasPerKm2: { breaks: [0.1, 1, 5, 20, 50], unit: '/km²', scale: v => v },
  onlineRatio: { breaks: [20, 50, 80, 95, 99], unit: '%', scale: v => v * 100 },
};
const palette = ['#f1f4f7', '#d4e4f4', '#a6c8e8', '#6aa4d6', '#3479bd', '#0f4c8a'];

async function shapes(level) {
  map.shapes[level] ??= await api(`/api/divisions/shapes?level=${level}`);
  return map.shapes[level];
}

async function showMap() {
  const all = await shapes(map.district ? 'township' : 'district');
  map.coverage = map.district
    ? await api(`/api/coverage/districts/${map.district}/townships`)
    : await api('/api/coverage/districts');
  const rows = new Map(map.coverage.divisions.map(r => [r.code, r]));
  const divisions = all.divisions.filter(d => map.district ? d.parentCode === map.district : true);
  const metric = $('#metric').value;
  const { breaks, unit, scale } = classes[metric];
  const colour = v => palette[breaks.findIndex(b => v < b) === -1 ? breaks.length : breaks.findIndex(b => v < b)];

  // Extent of what is drawn; x squeezed by cos(latitude) so the map is not stretched.
  const focus = map.district ? all.divisions.filter(d => d.parentCode === map.district) : all.divisions;
  const box = boundsOf(focus.map(d => d.path));
  const k = Math.cos((-(box.minY + box.maxY) / 2) * Math.PI / 180);
  const svg = $('#map-svg');
  const pad = (box.maxX - box.minX) * 0.03;
  svg.setAttribute('viewBox', `${(box.minX - pad) * k} ${box.minY - pad} ${(box.maxX - box.minX + 2 * pad) * k} ${box.maxY - box.minY + 2 * pad}`);
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  let content = `<g transform="scale(${k} 1)">`;
  for (const d of divisions) {
    const row = rows.get(d.code);
    const value = row ? scale(row[metric]) : 0;
    content += `<path d="${d.path}" fill="${colour(value)}" data-code="${d.code}"><title>${esc(d.name)} ${d.code}: ${value.toFixed(metric === 'camerasPerKm2' ? 2 : 1)}${unit}</title></path>`;
  }
  content += '</g>';
  svg.innerHTML = content;
  await drawCameras(svg, k);
  labels(svg, divisions, k);
  $$('#map-svg path').forEach(p => p.addEventListener('click', () => select(p.dataset.code, rows.get(p.dataset.code))));
  $('#map-back').hidden = !map.district;
  $('#map-title').textContent = map.district ? `${name(map.district)} ${map.district}: 街道/乡镇 townships` : '天津市 Tianjin: 区 districts';
  performance.mark('cameranet:map-drawn');
  $('#legend').innerHTML = `<strong>${esc($('#metric').selectedOptions[0].textContent)}</strong>&nbsp; ` + palette.map((c, i) =>
    `<span class="item"><span class="swatch" style="background:${c}"></span>${i === 0 ? '< ' + breaks[0] : i === breaks.length ? '≥ ' + breaks[i - 1] : breaks[i - 1] + '–' + breaks[i]}${unit}</span>`).join('');
}

function boundsOf(paths) {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const path of paths) {
    const numbers = path.match(/-?\d+(\.\d+)?/g) || [];
    for (let i = 0; i + 1 < numbers.length; i += 2) {
      const x = +numbers[i], y = +numbers[i + 1];
      box.minX = Math.min(box.minX, x); box.maxX = Math.max(box.maxX, x);
      box.minY = Math.min(box.minY, y); box.maxY = Math.max(box.maxY, y);
    }
  }
  return box;
}

// The map is fitted into the box whole ("meet"): one pixel is the larger of the two ratios.
const unitsPerPixel = svg => Math.max(svg.viewBox.baseVal.width / svg.clientWidth, svg.viewBox.baseVal.height / svg.clientHeight);

function labels(svg, divisions, k) {
  if (map.district) return; // townships are too many to label; their names are in the tooltip and the panel
  // Labels keep a readable size whatever the zoom; a division too small on screen for its name gets none
  // (its name is in the tooltip and the panel), so labels never overlap.
  const ratio = unitsPerPixel(svg);
  let text = '';
  for (const d of divisions) {
    const b = boundsOf([d.path]);
    const widthPx = (b.maxX - b.minX) * k / ratio, heightPx = (b.maxY - b.minY) / ratio;
    if (widthPx < d.name.length * 13 + 6 || heightPx < 18) continue;
    text += `<text x="${((b.minX + b.maxX) / 2) * k}" y="${(b.minY + b.maxY) / 2}" text-anchor="middle" dominant-baseline="middle" style="font-size:${12 * ratio}px;stroke-width:${3 * ratio}px">${esc(d.name)}</text>`;
  }
  svg.insertAdjacentHTML('beforeend', text);
}

async function drawCameras(svg, k) {
  if (!map.district) return; // the city-wide view shows divisions; cameras appear when a district is opened
  // One point per camera, or per grid cell with a count where cameras are dense (the server aggregates).
  const ratio = unitsPerPixel(svg);
  const cell = Math.max(0.0002, ratio * 12);
  const clusters = await api(`/api/dashboard/clusters?district=${map.district}&cell=${cell}`);
  svg.insertAdjacentHTML('beforeend', clusters.map(c => {
    const r = ratio * (c.cameras === 1 ? 4 : Math.min(14, 5 + 2 * Math.log2(c.cameras)));
    const label = c.cameras > 1 ? `<text x="${c.longitude * k}" y="${-c.latitude}" text-anchor="middle" dominant-baseline="middle" style="font-size:${9 * ratio}px;stroke-width:0;fill:#fff">${c.cameras}</text>` : '';
    const title = c.cameras === 1 ? `${esc(c.name)} ${c.id}` : `${c.cameras} cameras`;
    return `${c.cameras === 1 && c.range ? wedge(c, k) : ''}<circle cx="${c.longitude * k}" cy="${-c.latitude}" r="${r}"><title>${title}</title></circle>${label}`;
  }).join(''));
}

/** A camera's view: apex at the camera, azimuth ± fov/2 (clockwise from north), radius = range in metres. */
function wedge(c, k) {
  const metresPerDegreeY = 110540, metresPerDegreeX = 111320 * Math.cos(c.latitude * Math.PI / 180);
  const point = bearing => [
    (c.longitude + c.range * Math.sin(bearing * Math.PI / 180) / metresPerDegreeX) * k,
    -(c.latitude + c.range * Math.cos(bearing * Math.PI / 180) / metresPerDegreeY)];
  const from = c.azimuth - c.fieldOfView / 2, steps = Math.max(2, Math.ceil(c.fieldOfView / 10));
  const arc = Array.from({ length: steps + 1 }, (_, i) => point(from + c.fieldOfView * i / steps));
  const apex = c.fieldOfView >= 360 ? '' : `M${c.longitude * k},${-c.latitude}L`;
  return `<path class="wedge" d="${apex || 'M'}${arc.map(p => p.join(',')).join('L')}Z"><title>${esc(c.name)}: ${c.azimuth}° ± ${c.fieldOfView / 2}°, ${c.range} m</title></path>`;
}

async function select(code, row) {
  $$('#map-svg path').forEach(p => p.classList.toggle('selected', p.dataset.code === code));
  const d = state.divisions.get(code);
  const panel = $('#map-detail');
  if (!row) { panel.innerHTML = `<h3>${esc(d?.name ?? code)}</h3><p>无数据 No figures.</p>`; return; }
  panel.innerHTML = `<h3>${esc(row.name)} <small>${code}</small></h3><dl>
    <dt>面积 Area</dt><dd>${row.areaKm2.toFixed(1)} km²</dd>
    <dt>摄像机 Cameras</dt><dd>${row.cameras}</dd>
    <dt>密度 Density</dt><dd>${row.camerasPerKm2.toFixed(2)} /km²</dd>
    <dt>在线 Online</dt><dd>${row.online} (${(row.onlineRatio * 100).toFixed(1)}%)</dd>
    <dt>覆盖率 Coverage</dt><dd>${row.coveragePct.toFixed(2)}%</dd>
    <dt>有效覆盖 Effective</dt><dd>${row.effectiveCoveragePct.toFixed(2)}%</dd></dl>
    <p id="blind-spots">盲区 Blind spots: …</p>
    ${d?.level === 'district' ? '<button type="button" id="open-district">查看街道 Open its townships</button>' : ''}`;
  const open = $('#open-district');
  if (open) open.onclick = () => { map.district = code; showMap(); };
  try {
    const spots = await api(`/api/coverage/${code}/blind-spots`);
    const list = spots.blindSpots ?? spots.items ?? spots;
    $('#blind-spots').textContent = `盲区 Blind spots: ${Array.isArray(list) ? list.length : 0}` +
      (Array.isArray(list) && list.length ? ` (largest ${(list[0].areaKm2 ?? 0).toFixed(2)} km²)` : '');
  } catch (e) {
    $('#blind-spots').textContent = `盲区 Blind spots: ${e.message}`;
  }
}

$('#metric').addEventListener('change', showMap);
$('#map-back').addEventListener('click', () => { map.district = null; showMap(); });

// ---- cameras: server-side paging (keyset), never the whole register ----
async function loadCameras(reset, after) {
  if (reset) state.pages = [null];
  const filter = new FormData($('#camera-filter'));
  const query = new URLSearchParams({ limit: 50 });
  for (const [key, value] of filter) if (value) query.set(key, value);
  if (after) query.set('after', after);
  const page = await api(`/api/cameras?${query}`);
  $('#camera-table tbody').innerHTML = page.items.map(c => `<tr data-id="${c.id}"><td>${c.id}</td><td>${esc(c.name)}</td><td>${esc(c.kind)}</td>
    <td>${esc(name(c.districtCode))}</td><td>${esc(name(c.townshipCode))}</td><td>${esc(c.health ?? 'unknown')}</td></tr>`).join('')
    || '<tr><td colspan="6">没有摄像机 No cameras match.</td></tr>';
  $$('#camera-table tbody tr[data-id]').forEach(tr => tr.addEventListener('click', () => detail(tr.dataset.id)));
  performance.mark('cameranet:cameras-drawn');
  state.next = page.next;
  $('#page-next').disabled = !page.next;
  $('#page-prev').disabled = state.pages.length <= 1;
  $('#page-info').textContent = `第 ${state.pages.length} 页 page ${state.pages.length}`;
}

$('#camera-filter').addEventListener('submit', e => { e.preventDefault(); loadCameras(true); });
$('#page-next').addEventListener('click', () => { state.pages.push(state.next); loadCameras(false, state.next); });
$('#page-prev').addEventListener('click', () => { state.pages.pop(); loadCameras(false, state.pages[state.pages.length - 1]); });

async function detail(id) {
  const c = await api(`/api/cameras/${id}`);
  const panel = $('#camera-detail');
  panel.hidden = false;
  panel.innerHTML = `<h3>${esc(c.name)} <small>${c.id}</small></h3><dl>
    <dt>类型 Kind</dt><dd>${esc(c.kind)}</dd><dt>位置 Place</dt><dd>${esc(name(c.districtCode))} / ${esc(name(c.townshipCode))}</dd>
    <dt>坐标 Location</dt><dd>${c.longitude.toFixed(6)}, ${c.latitude.toFixed(6)}</dd>
    <dt>视野 View</dt><dd>${c.azimuth}° ± ${c.fieldOfView / 2}°, ${c.range} m</dd>
    <dt>码流 Stream</dt><dd>${esc(c.mainStreamUrl)} (${esc(c.decodeMode)})${c.hasCredentials ? ' · 凭据已加密 credentials stored encrypted' : ''}</dd>
    <dt>状态 Health</dt><dd>${esc(c.health ?? 'unknown')} ${esc(c.healthReason ?? '')}</dd><dt>版本 Version</dt><dd>${c.version}</dd></dl>
    ${['admin', 'operator'].includes(state.me.role) && c.status === 'active' ? '<button type="button" id="edit-camera">编辑 Edit</button>' : ''}`;
  const edit = $('#edit-camera');
  if (edit) edit.onclick = () => openForm(c);
}

/** The register form, empty for a new camera or filled for an edit (saved with the version read, so concurrent edits are caught). */
function openForm(camera) {
  const form = $('#register-form');
  form.reset();
  $$('.field-error', form).forEach(s => { s.textContent = ''; });
  $$('.invalid', form).forEach(i => i.classList.remove('invalid'));
  form.dataset.editing = camera ? camera.id : '';
  form.dataset.version = camera ? camera.version : '';
  $('#register-title').textContent = camera ? `编辑 Edit ${camera.id}` : '登记摄像机 Register a camera';
  form.id.readOnly = Boolean(camera);
  if (camera) {
    for (const field of ['id', 'name', 'kind', 'districtCode', 'longitude', 'latitude', 'azimuth', 'fieldOfView', 'range', 'mainStreamUrl', 'decodeMode']) {
      if (form[field]) form[field].value = camera[field] ?? '';
    }
  }
  form.hidden = false;
  form.scrollIntoView();
}

$('#show-register').addEventListener('click', () => openForm(null));
$('#register-cancel').addEventListener('click', () => { $('#register-form').hidden = true; });
$('#register-form').addEventListener('submit', async event => {
  event.preventDefault();
  const form = event.target;
  $$('.field-error', form).forEach(s => { s.textContent = ''; });
  $$('.invalid', form).forEach(i => i.classList.remove('invalid'));
  $('#register-error').textContent = '';
  const body = Object.fromEntries(new FormData(form));
  for (const key of ['longitude', 'latitude', 'azimuth', 'fieldOfView', 'range']) body[key] = body[key] === '' ? null : Number(body[key]);
  try {
    const editing = form.dataset.editing;
    const camera = editing
      ? await api(`/api/cameras/${editing}`, { method: 'PUT', json: body, headers: { 'If-Match': `"${form.dataset.version}"` } })
      : await api('/api/cameras', { method: 'POST', json: body });
    form.hidden = true;
    form.reset();
    $('#camera-filter').q.value = camera.id;
    await loadCameras(true);
    if (editing) await detail(camera.id);
  } catch (e) {
    let placed = 0;
    for (const [field, messages] of Object.entries(e.errors)) {
      const slot = $(`.field-error[data-for="${field}"]`, form);
      if (slot) { slot.textContent = messages.join(' '); form[field]?.classList.add('invalid'); placed++; }
    }
    if (!placed) $('#register-error').textContent = e.message;
  }
});

$('#import-file').addEventListener('change', event => {
  const file = event.target.files[0];
  if (!file) return;
  const status = $('#import-status');
  const request = new XMLHttpRequest();
  request.open('POST', '/api/cameras/import');
  request.setRequestHeader('Authorization', `Bearer ${state.token}`);
  request.setRequestHeader('Content-Type', file.name.endsWith('.csv') ? 'text/csv' : 'application/geo+json');
  request.upload.onprogress = e => { if (e.lengthComputable) status.textContent = `上传 Uploading ${(100 * e.loaded / e.total).toFixed(0)}%`; };
  request.onload = () => {
    const body = request.responseText ? JSON.parse(request.responseText) : {};
    const report = body.report ?? body;
    if (request.status < 300) {
      status.innerHTML = `导入完成 Imported ${report.rows} rows: ${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged (${report.seconds.toFixed(1)} s)`;
    } else {
      const rows = (report.errors ?? []).map(e => `<tr><td>${e.row}</td><td>${e.line}</td><td>${esc(e.field)}</td><td>${esc(e.message)}</td></tr>`).join('');
      status.innerHTML = `<p class="error">${esc(body.title ?? request.status)}: ${esc(body.detail ?? '')}</p>` +
        (rows ? `<table id="import-errors"><thead><tr><th>行 Row</th><th>文件行 Line</th><th>字段 Field</th><th>问题 Problem</th></tr></thead><tbody>${rows}</tbody></table>` : '');
    }
    loadCameras(true);
  };
  request.send(file);
  event.target.value = '';
});

// ---- live plates (analysts and admins): server-sent events read through fetch, so the token stays in a header ----
async function startLive() {
  stopLive();
  const district = $('#live-district').value;
  if (!state.me.purpose && !$('#live-purpose').value.trim()) {
    $('#live-status').textContent = '请填写用途 State your purpose first (it is audited)';
    return;
  }

  const purpose = state.me.purpose ? '' : `&purpose=${encodeURIComponent($('#live-purpose').value.trim())}`;
  const controller = new AbortController();
  state.live = controller;
  $('#live-start').disabled = true;
  $('#live-stop').disabled = false;
  $('#live-status').textContent = '连接中 connecting…';
  try {
    const response = await fetch(`/api/plates/live?district=${district}${$('#live-township').value ? '&township=' + $('#live-township').value : ''}${purpose}`, { headers: { Authorization: `Bearer ${state.token}` }, signal: controller.signal });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      throw new ApiError(response.status, problem);
    }
    $('#live-status').textContent = `实时 live: ${name(district)}`;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n');
        if (block.startsWith('event: plate') && data) plate(JSON.parse(data));
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') $('#live-status').textContent = `错误 error: ${e.message}`;
  } finally {
    $('#live-start').disabled = false;
    $('#live-stop').disabled = true;
  }
}

function stopLive() {
  state.live?.abort();
  state.live = null;
}

function plate(c) {
  const row = `<tr><td>${new Date(c.firstSeenAt).toLocaleTimeString()}</td><td>${esc(name(c.districtCode))} / ${esc(name(c.townshipCode))}</td>
    <td>${c.cameraId}</td><td class="plate">${esc(c.plate)}</td><td>${esc(c.colour)}</td><td>${c.confidence.toFixed(2)}</td>
    <td>${c.cropJpeg ? `<img alt="${esc(c.plate)}" src="data:image/jpeg;base64,${c.cropJpeg}">` : ''}</td></tr>`;
  const body = $('#live-table tbody');
  body.insertAdjacentHTML('afterbegin', row);
  while (body.rows.length > 200) body.deleteRow(body.rows.length - 1);
}

$('#live-start').addEventListener('click', startLive);
$('#live-stop').addEventListener('click', stopLive);

// ---- health ----
async function loadHealth() {
  const report = await api('/api/coverage/districts');
  $('#health-table tbody').innerHTML = report.divisions.map(r => `<tr><td>${esc(r.name)} ${r.code}</td><td>${r.cameras}</td><td>${r.online}</td>
    <td>${r.notOnline}</td><td>${(r.onlineRatio * 100).toFixed(1)}%</td></tr>`).join('');
  const workers = await api('/api/dashboard/workers');
  $('#worker-table tbody').innerHTML = workers.map(w => `<tr><td>${esc(w.workerId)}</td><td>${esc(w.health)}</td><td>${w.cameras}</td><td>${new Date(w.lastReport).toLocaleString()}</td></tr>`).join('')
    || '<tr><td colspan="4">还没有报告 No worker has reported yet.</td></tr>';
  const rows = [];
  for (const health of ['unreachable', 'stalled', 'authFailed', 'badStream']) {
    const page = await api(`/api/cameras?health=${health}&limit=50`);
    rows.push(...page.items);
  }
  $('#offline-table tbody').innerHTML = rows.map(c => `<tr><td>${c.id}</td><td>${esc(c.name)}</td><td>${esc(c.health)}</td><td>${esc(c.healthReason ?? '')}</td></tr>`).join('')
    || '<tr><td colspan="4">全部在线 Every camera reporting is online.</td></tr>';
}

if (state.token) start().catch(() => signOut()); else signOut();
