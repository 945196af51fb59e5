/*
 * app.js: pgpooladmin's page.  Talks to the JSON API with the session
 * cookie; every change carries the CSRF token the login returned.  All
 * text from the server goes into the page with textContent (never as HTML).
 */
'use strict';

const state = { csrf: null, session: null, timer: null, config: null, changes: {} };
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? '' : String(k)));
  return e;
}

function show(id, on) { $(id).classList.toggle('hidden', !on); }

function say(id, text, ok) {
  const m = $(id);
  m.textContent = text || '';
  m.className = 'message ' + (ok ? 'ok' : 'error');
}

async function api(method, path, body) {
  const headers = { 'X-Requested-With': 'pgpooladmin' };
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== '/login') { loggedOut(); }
  return { ok: res.ok, status: res.status, data: data || {} };
}

function errorText(r) {
  const d = r.data;
  let t = d.error || ('HTTP ' + r.status);
  if (d.detail) t += ': ' + d.detail;
  for (const e of d.errors || []) {
    t += '\n' + (e.parameter ? e.parameter + ': ' : '') + e.message + (e.detail ? ' (' + e.detail + ')' : '');
  }
  return t;
}

/* ---- session ---- */

function loggedOut() {
  state.csrf = null;
  clearInterval(state.timer);
  show('app', false); show('login', true); show('who', false); show('logout', false);
}

async function loggedIn() {
  const r = await api('GET', '/api/session');
  if (!r.ok) return loggedOut();
  state.session = r.data;
  state.csrf = r.data.csrf_token;
  $('who').textContent = 'logged in as ' + r.data.user;
  show('login', false); show('app', true); show('who', true); show('logout', true);
  show('btn-start', r.data.can_start);
  show('tab-hba', r.data.has_hba);
  refreshStatus();
  state.timer = setInterval(refreshStatus, 5000);
}

async function login(ev) {
  ev.preventDefault();
  const r = await api('POST', '/login', { user: $('login-user').value, password: $('login-password').value });
  $('login-password').value = '';
  if (!r.ok) return say('login-message', r.data.error || 'login failed');
  say('login-message', '');
  loggedIn();
}

/* ---- status ---- */

function fillRows(tableId, rows) {
  const tb = $(tableId).querySelector('tbody');
  tb.replaceChildren(...rows);
}

function nodeRow(n) {
  const actions = el('td', {});
  for (const a of ['attach', 'detach', 'promote', 'recover']) {
    actions.append(el('button', { type: 'button', class: 'node-action ' + a, 'data-node': n.node_id,
      'data-action': a, onclick: () => nodeAction(n.node_id, a) }, a));
  }
  return el('tr', { 'data-node-id': n.node_id },
    el('td', {}, n.node_id), el('td', {}, n.hostname), el('td', {}, n.port),
    el('td', { class: 'node-status ' + n.status }, n.status), el('td', {}, n.role),
    el('td', {}, n.weight.toFixed(3)), el('td', {}, n.select_count ?? ''),
    el('td', {}, n.replication_delay), el('td', {}, n.replication_state),
    el('td', {}, n.last_status_change || ''), actions);
}

function healthRow(n) {
  const h = n.health_check || {};
  return el('tr', {}, el('td', {}, n.node_id), el('td', {}, h.total_count), el('td', {}, h.success_count),
    el('td', {}, h.fail_count), el('td', {}, h.skip_count), el('td', {}, h.retry_count),
    el('td', {}, h.average_duration_ms), el('td', {}, h.last_health_check || ''),
    el('td', {}, h.last_failed_health_check || ''));
}

async function refreshStatus() {
  const st = await api('GET', '/api/status');
  if (!st.ok) return;
  const s = st.data;
  $('pgpool-state').textContent = s.pgpool_running ? 'pgpool is running (pid ' + s.pid + ')'
    : 'pgpool is not answering' + (s.pcp_error ? ': ' + s.pcp_error : '');
  $('pgpool-state').className = s.pgpool_running ? 'ok' : 'error';
  show('btn-cache-clear', s.cache_enabled);
  show('cache-box', s.cache_enabled && !!s.cache);
  if (s.cache) {
    fillRows('cache-table', Object.entries(s.cache).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
  }
  if (s.pgpool_running) {
    const [nodes, procs, pools] = await Promise.all([api('GET', '/api/nodes'),
      api('GET', '/api/processes'), api('GET', '/api/pools')]);
    if (nodes.ok) {
      fillRows('nodes-table', nodes.data.nodes.map(nodeRow));
      fillRows('health-table', nodes.data.nodes.map(healthRow));
    }
    if (procs.ok) fillRows('processes-table', procs.data.processes.map((p) => el('tr', {},
      el('td', {}, p.pid), el('td', {}, p.start_time), el('td', {}, p.client_connection_count),
      el('td', {}, p.status), el('td', {}, p.database), el('td', {}, p.user))));
    if (pools.ok) fillRows('pools-table', pools.data.pools.filter((p) => p.database).map((p) => el('tr', {},
      el('td', {}, p.pid), el('td', {}, p.backend_id), el('td', {}, p.database), el('td', {}, p.user),
      el('td', {}, p.protocol_major + '.' + p.protocol_minor), el('td', {}, p.backend_pid),
      el('td', {}, p.pool_counter), el('td', {}, p.connected ? 'yes' : 'no'))));
  }
  show('watchdog-box', s.watchdog_enabled);
  if (s.watchdog_enabled && s.pgpool_running) {
    const w = await api('GET', '/api/watchdog');
    if (w.ok) {
      $('watchdog-summary').textContent = 'leader: ' + (w.data.leader || 'none') + ', members ' +
        w.data.members + '/' + w.data.total + ', quorum ' + w.data.quorum;
      fillRows('watchdog-table', w.data.nodes.map((n) => el('tr', {}, el('td', {}, n.id), el('td', {}, n.name),
        el('td', {}, n.host), el('td', {}, n.pgpool_port), el('td', {}, n.state), el('td', {}, n.membership))));
    }
  }
  $('refreshed').textContent = new Date().toLocaleTimeString();
}

async function act(method, path, body, what) {
  const r = await api(method, path, body);
  say('message', r.ok ? what + ': done' : what + ': ' + errorText(r), r.ok);
  setTimeout(refreshStatus, 300);
  return r;
}

function nodeAction(id, action) {
  if (!confirm(action + ' node ' + id + '?')) return;
  act('POST', '/api/nodes/' + id + '/' + action, undefined, action + ' node ' + id);
}

/* ---- pgpool.conf editor ---- */

function paramInput(p, name, value) {
  let input;
  if (p.type === 'bool') {
    input = el('select', {}, el('option', { value: '' }, '(default)'), el('option', { value: 'on' }, 'on'),
      el('option', { value: 'off' }, 'off'));
  } else if (p.values) {
    input = el('select', {}, el('option', { value: '' }, '(default)'), ...p.values.map((v) => el('option', { value: v }, v)));
  } else {
    input = el('input', { type: p.secret ? 'password' : 'text', placeholder: p.default ?? '' });
  }
  input.id = 'param-' + name;
  input.setAttribute('data-param', name);
  input.value = value == null ? '' : (p.type === 'bool' ? (/^(on|true|yes|1)$/i.test(value) ? 'on' : 'off') : value);
  const initial = input.value;
  input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => {
    if (input.value === initial) delete state.changes[name];
    else state.changes[name] = input.value === '' ? null : input.value;
    input.classList.toggle('changed', input.value !== initial);
  });
  return input;
}

function paramRow(p, name, value) {
  const meta = el('div', { class: 'meta' },
    el('span', { class: 'badge' }, p.type), el('span', { class: 'badge ' + p.context.split(' ')[0] }, p.context),
    p.support ? el('span', { class: 'badge' }, p.support) : '',
    p.description, el('br', {}), 'default: ' + (p.default ?? '(none)') + '; accepts ' + p.accepted);
  return el('div', { class: 'param', 'data-name': name }, el('div', { class: 'name' }, name),
    paramInput(p, name, value), meta);
}

async function loadConfig() {
  const r = await api('GET', '/api/config');
  if (!r.ok) return say('config-message', errorText(r));
  state.config = r.data;
  state.changes = {};
  const values = r.data.values;
  const box = $('config-groups');
  box.replaceChildren();
  for (const g of r.data.groups) {
    const rows = [];
    for (const p of r.data.params.filter((q) => q.group === g.title)) {
      if (p.numbered) {
        for (const key of Object.keys(values).filter((k) => k.startsWith(p.name) && /^\d+$/.test(k.slice(p.name.length)))) {
          rows.push(paramRow(p, key, values[key].value));
        }
      } else if (!p.obsolete || values[p.name]) {
        rows.push(paramRow(p, p.name, values[p.name] ? values[p.name].value : null));
      }
    }
    if (rows.length) box.append(el('div', { class: 'group' }, el('h3', { title: g.comment }, g.title), ...rows));
  }
  say('config-message', 'editing ' + r.data.file, true);
}

async function saveConfig() {
  if (Object.keys(state.changes).length === 0) return say('config-message', 'nothing changed', true);
  const r = await api('POST', '/api/config', { changes: state.changes, reload: $('config-reload').checked });
  if (!r.ok) return say('config-message', errorText(r));
  let t = 'saved (backup ' + r.data.backup + ')';
  if (r.data.reloaded) t += ', pgpool reloaded';
  if (r.data.reload_error) t += ', reload failed: ' + r.data.reload_error;
  if (r.data.restart_required.length) t += '; restart needed for: ' + r.data.restart_required.join(', ');
  await loadConfig();
  say('config-message', t, true);
}

function filterConfig() {
  const f = $('config-filter').value.toLowerCase();
  for (const row of document.querySelectorAll('#config-groups .param')) {
    row.classList.toggle('hidden', f !== '' && !row.textContent.toLowerCase().includes(f));
  }
}

/* ---- pool_hba.conf, pcp.conf, log ---- */

async function loadHba() {
  const r = await api('GET', '/api/hba');
  if (!r.ok) return say('hba-message', errorText(r));
  $('hba-file').textContent = r.data.file;
  $('hba-text').value = r.data.text;
}

async function saveHba() {
  const r = await api('POST', '/api/hba', { text: $('hba-text').value, reload: $('hba-reload').checked });
  say('hba-message', r.ok ? 'saved' + (r.data.reloaded ? ', pgpool reloaded' : '') : errorText(r), r.ok);
}

function userRow(name) {
  const tr = el('tr', {}, el('td', {}, el('input', { value: name || '', class: 'user-name' })),
    el('td', {}, el('input', { type: 'password', class: 'user-password', autocomplete: 'new-password' })));
  tr.append(el('td', {}, el('button', { type: 'button', onclick: () => tr.remove() }, 'remove')));
  return tr;
}

async function loadUsers() {
  const r = await api('GET', '/api/pcp-users');
  if (!r.ok) return say('users-message', errorText(r));
  fillRows('users-table', r.data.users.map(userRow));
}

async function saveUsers() {
  const users = [...document.querySelectorAll('#users-table tbody tr')].map((tr) => {
    const u = { name: tr.querySelector('.user-name').value };
    const pw = tr.querySelector('.user-password').value;
    if (pw) u.password = pw;
    return u;
  });
  const r = await api('POST', '/api/pcp-users', { users });
  say('users-message', r.ok ? 'saved' : errorText(r), r.ok);
  if (r.ok) loadUsers();
}

async function loadLog() {
  const r = await api('GET', '/api/log?lines=300');
  if (!r.ok) return ($('log-text').textContent = errorText(r));
  $('log-file').textContent = r.data.file;
  $('log-text').textContent = r.data.lines.join('\n');
}

const loaders = { status: refreshStatus, config: loadConfig, hba: loadHba, users: loadUsers, log: loadLog };

function openTab(name) {
  for (const t of document.querySelectorAll('.tab')) t.classList.toggle('active', t.dataset.tab === name);
  for (const p of document.querySelectorAll('.panel')) p.classList.toggle('hidden', p.id !== 'panel-' + name);
  loaders[name]();
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', async () => { await api('POST', '/logout'); loggedOut(); });
  for (const t of document.querySelectorAll('.tab')) t.addEventListener('click', () => openTab(t.dataset.tab));
  $('btn-reload').addEventListener('click', () => act('POST', '/api/reload', undefined, 'reload'));
  $('btn-stop-smart').addEventListener('click', () => confirm('Stop pgpool (smart)?') &&
    act('POST', '/api/stop', { mode: 'smart' }, 'stop'));
  $('btn-stop-fast').addEventListener('click', () => confirm('Stop pgpool (fast)?') &&
    act('POST', '/api/stop', { mode: 'fast' }, 'stop'));
  $('btn-start').addEventListener('click', () => act('POST', '/api/start', undefined, 'start'));
  $('btn-cache-clear').addEventListener('click', () => act('POST', '/api/cache/clear', undefined, 'clear cache'));
  $('config-save').addEventListener('click', saveConfig);
  $('config-filter').addEventListener('input', filterConfig);
  $('hba-save').addEventListener('click', saveHba);
  $('users-add').addEventListener('click', () => $('users-table').querySelector('tbody').append(userRow('')));
  $('users-save').addEventListener('click', saveUsers);
  loggedIn();
});
