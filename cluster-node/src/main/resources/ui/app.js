// The Gatehouse dashboard: a single page over the admin API (/api/v1). The admin token lives in
// this tab's sessionStorage only and travels as a bearer token; every value from the API is put
// into the page as text, never as HTML. Charts are ECharts (served from its WebJar by the node).
'use strict';

(() => {
  const TOKEN_KEY = 'gatehouse.adminToken';
  const REFRESH_MS = 15000;
  const WINDOWS = {
    '1h': { hours: 1, step: 60 },
    '6h': { hours: 6, step: 120 },
    '24h': { hours: 24, step: 600 },
    '7d': { hours: 168, step: 3600 },
  };

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    timer: null,
    charts: [],
    endpoints: { rows: [], sort: { key: 'route', dir: 1 }, filter: '', window: '24h' },
    monitorWindow: '1h',
    tokens: { status: 'active', items: [], nextCursor: null, filter: '' },
  };

  // ---- DOM and formatting helpers ---------------------------------------------------------

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k in el && typeof v !== 'string') el[k] = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const $ = (id) => document.getElementById(id);
  const pad = (n) => String(n).padStart(2, '0');

  function fmtTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function fmtAgo(iso) {
    if (!iso) return 'never';
    const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (s < 60) return `${s}s ago`;
    if (s < 3600) return `${Math.floor(s / 60)}m ago`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
    return `${Math.floor(s / 86400)}d ago`;
  }

  function fmtDuration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    const d = Math.floor(seconds / 86400);
    const hh = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    if (d > 0) return `${d}d ${hh}h`;
    if (hh > 0) return `${hh}h ${m}m`;
    if (m > 0) return `${m}m`;
    return `${seconds}s`;
  }

  const fmtMs = (v) => (v === null || v === undefined ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
  const fmtInt = (v) => Number(v).toLocaleString('en-US');
  const fmtRate = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const fmtBytes = (v) => {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let n = Number(v || 0);
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return i === 0 ? `${n} B` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
  };
  const fmtPct = (v) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
  const principal = (p) => (p ? `${p.type === 'service-account' ? 'sa' : 'user'}:${p.name}` : '—');
  const pill = (value) => h('span', { class: `pill ${value}`, text: value });
  const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

  // ---- API ---------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${state.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(`/api/v1${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
        credentials: 'omit',
      });
    } catch (e) {
      throw new ApiError(0, 'unreachable', 'The node did not answer. Is it running?');
    }
    if (res.status === 204) return null;
    const json = await res.json().catch(() => null);
    if (!res.ok) {
      const err = new ApiError(res.status, json && json.error, (json && json.message) || `HTTP ${res.status}`);
      if (res.status === 401 && path !== '/routers') signOut('Your token is no longer accepted. Sign in again.');
      throw err;
    }
    return json;
  }

  // ---- sign-in -----------------------------------------------------------------------------

  function tokenId(raw) {
    const m = /^gth_([0-9A-Za-z]{8,})_[0-9A-Za-z]{43,}$/.exec(raw);
    return m ? `tok_${m[1]}` : null;
  }

  async function signIn(raw) {
    if (!tokenId(raw)) throw new Error('That is not a Gatehouse token (gth_…).');
    state.token = raw;
    try {
      await api('GET', '/routers');
    } catch (e) {
      state.token = null;
      if (e.status === 401) throw new Error('This token is not valid (unknown, expired or revoked).');
      if (e.status === 403) throw new Error('This token is valid but not an admin token.');
      throw e;
    }
    sessionStorage.setItem(TOKEN_KEY, raw);
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    leavePage();
    $('nav').hidden = true;
    $('sign-out').hidden = true;
    $('who').textContent = '';
    $('page').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = message || '';
    $('sign-in-token').value = '';
    $('sign-in-token').focus();
  }

  async function showWho() {
    const id = tokenId(state.token);
    $('who').textContent = id;
    try {
      const t = await api('GET', `/tokens/${encodeURIComponent(id)}`);
      $('who').textContent = `${principal(t.principal)} · ${t.label}`;
    } catch (e) {
      // The id is enough to say who is signed in.
    }
  }

  // ---- confirmation dialog -----------------------------------------------------------------

  function confirmDialog(title, body, okText) {
    return new Promise((resolve) => {
      $('modal-title').textContent = title;
      $('modal-body').replaceChildren(h('p', { text: body }));
      $('modal-ok').textContent = okText;
      $('modal').hidden = false;
      const done = (answer) => {
        $('modal').hidden = true;
        $('modal-ok').onclick = null;
        $('modal-cancel').onclick = null;
        resolve(answer);
      };
      $('modal-ok').onclick = () => done(true);
      $('modal-cancel').onclick = () => done(false);
      $('modal-cancel').focus();
    });
  }

  // ---- page plumbing -----------------------------------------------------------------------

  function leavePage() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
    state.charts.forEach((c) => c.dispose());
    state.charts = [];
  }

  function every(ms, fn) {
    state.timer = setInterval(() => {
      if (!document.hidden) fn();
    }, ms);
  }

  function page(...children) {
    $('page').replaceChildren(...children);
  }

  function errorBox(e) {
    return h('p', { class: 'error', role: 'alert', text: e.message });
  }

  function windowSelect(value, onchange) {
    return h('select', { 'aria-label': 'Time window', onchange: (ev) => onchange(ev.target.value) },
      Object.keys(WINDOWS).map((w) => h('option', { value: w, selected: w === value, text: `last ${w}` })));
  }

  function windowQuery(w) {
    const to = new Date();
    const from = new Date(to.getTime() - WINDOWS[w].hours * 3600 * 1000);
    return `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  }

  /** A table whose headers sort; columns: {key, title, num, value(row) -> sortable, cell(row) -> node}. */
  function sortableTable(id, columns, rows, sort, onsort) {
    const sorted = [...rows].sort((a, b) => {
      const col = columns.find((c) => c.key === sort.key);
      const va = col.value(a);
      const vb = col.value(b);
      if (va === vb) return 0;
      if (va === null || va === undefined) return 1;
      if (vb === null || vb === undefined) return -1;
      return (va < vb ? -1 : 1) * sort.dir;
    });
    const head = h('tr', {}, columns.map((c) => h('th', {
      class: `sortable${c.num ? ' num' : ''}${c.key === sort.key ? (sort.dir > 0 ? ' sorted-asc' : ' sorted-desc') : ''}`,
      text: c.title,
      onclick: () => onsort(c.key === sort.key ? { key: c.key, dir: -sort.dir } : { key: c.key, dir: c.num ? -1 : 1 }),
    })));
    const body = sorted.length === 0
      ? [h('tr', {}, h('td', { class: 'empty', colspan: String(columns.length), text: 'Nothing to show.' }))]
      : sorted.map((r) => h('tr', { 'data-key': r.route || r.name || r.id || r.address },
        columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.cell(r)))));
    return h('table', { id }, h('thead', {}, head), h('tbody', {}, body));
  }

  // ---- Endpoints ---------------------------------------------------------------------------

  const ENDPOINT_COLUMNS = [
    { key: 'route', title: 'Route', value: (r) => r.route,
      cell: (r) => h('a', { href: `#/endpoints/${encodeURIComponent(r.route)}`, text: r.route }) },
    { key: 'kind', title: 'Kind', value: (r) => `${r.kind} ${r.protocol}`,
      cell: (r) => (r.protocol === 'tcp' ? `${r.kind}, tcp` : r.kind) },
    { key: 'url', title: 'URL', value: (r) => r.url, cell: (r) => r.url },
    { key: 'status', title: 'Status', value: (r) => ({ up: 0, degraded: 1, down: 2 })[r.status], cell: (r) => pill(r.status) },
    { key: 'instances', title: 'Healthy / instances', num: true, value: (r) => r.healthyInstances,
      cell: (r) => `${r.healthyInstances} / ${r.instances}` },
    { key: 'uptimeSeconds', title: 'Uptime', num: true, value: (r) => r.uptimeSeconds, cell: (r) => fmtDuration(r.uptimeSeconds) },
    { key: 'totalRequests', title: 'Requests', num: true, value: (r) => r.totalRequests, cell: (r) => fmtInt(r.totalRequests) },
    { key: 'avgRequestsPerMinute', title: 'Req/min', num: true, value: (r) => r.avgRequestsPerMinute,
      cell: (r) => fmtRate(r.avgRequestsPerMinute) },
    { key: 'avgLatencyMs', title: 'Avg latency', num: true, value: (r) => r.avgLatencyMs, cell: (r) => fmtMs(r.avgLatencyMs) },
    { key: 'p95LatencyMs', title: 'p95 latency', num: true, value: (r) => r.p95LatencyMs, cell: (r) => fmtMs(r.p95LatencyMs) },
    { key: 'errorRate', title: 'Errors', num: true, value: (r) => r.errorRate, cell: (r) => fmtPct(r.errorRate) },
    { key: 'bytes', title: 'Bytes in / out', num: true, value: (r) => r.bytesIn + r.bytesOut,
      cell: (r) => `${fmtBytes(r.bytesIn)} / ${fmtBytes(r.bytesOut)}` },
  ];
  const CSV_FIELDS = ['route', 'kind', 'protocol', 'url', 'status', 'healthyInstances', 'instances', 'uptimeSeconds',
    'totalRequests', 'avgRequestsPerMinute', 'avgLatencyMs', 'p95LatencyMs', 'errorRate', 'bytesIn', 'bytesOut'];

  function visibleEndpoints() {
    const f = state.endpoints.filter.trim().toLowerCase();
    return state.endpoints.rows.filter((r) => !f || [r.route, r.kind, r.url, r.status].some((v) => v.toLowerCase().includes(f)));
  }

  function csv(rows) {
    const cell = (v) => {
      const s = v === null || v === undefined ? '' : String(v);
      return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return [CSV_FIELDS.join(','), ...rows.map((r) => CSV_FIELDS.map((f) => cell(r[f])).join(','))].join('\r\n') + '\r\n';
  }

  function download(name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function renderEndpoints() {
    const ep = state.endpoints;
    const tableHolder = h('div', { id: 'endpoints-holder' });
    const updated = h('span', { class: 'muted', id: 'endpoints-updated' });
    const drawTable = () => tableHolder.replaceChildren(sortableTable('endpoints-table', ENDPOINT_COLUMNS,
      visibleEndpoints(), ep.sort, (sort) => { ep.sort = sort; drawTable(); }));
    const load = async () => {
      try {
        ep.rows = (await api('GET', `/endpoints?${windowQuery(ep.window)}`)).items;
        updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
        drawTable();
      } catch (e) {
        tableHolder.replaceChildren(errorBox(e));
      }
    };
    page(
      h('h1', { text: 'Model Endpoints' }),
      h('div', { class: 'toolbar' },
        h('input', { id: 'endpoints-search', type: 'search', placeholder: 'Search routes, URLs, status…', value: ep.filter,
          oninput: (ev) => { ep.filter = ev.target.value; drawTable(); } }),
        windowSelect(ep.window, (w) => { ep.window = w; load(); }),
        h('button', { id: 'endpoints-csv', type: 'button', text: 'Download CSV',
          onclick: () => download(`gatehouse-endpoints-${new Date().toISOString().slice(0, 10)}.csv`,
            csv(visibleEndpoints()), 'text/csv') }),
        h('span', { class: 'spacer' }), updated),
      tableHolder);
    await load();
    every(REFRESH_MS, load);
  }

  // ---- Monitor -----------------------------------------------------------------------------

  function chart(el) {
    const c = echarts.init(el, null, { renderer: 'canvas' });
    state.charts.push(c);
    return c;
  }

  function volumeOption(requests) {
    const seen = new Map();
    for (const s of requests.series) seen.set(s.label, (seen.get(s.label) || 0) + 1);
    return {
      animation: false,
      title: { text: 'Requests by token', left: 10, top: 6, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 6, right: 10, left: 180 },
      grid: { left: 50, right: 20, top: 44, bottom: 30 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: `per ${requests.stepSeconds / 60} min`, minInterval: 1 },
      series: requests.series.map((s) => ({
        name: seen.get(s.label) > 1 ? `${s.label} (${s.tokenId})` : s.label,
        id: s.tokenId,
        type: 'bar', stack: 'requests', barMaxWidth: 24, barMinHeight: 0,
        emphasis: { focus: 'series' },
        data: s.points,
      })),
    };
  }

  function latencyOption(latency) {
    return {
      animation: false,
      title: { text: 'Latency', left: 10, top: 6, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis', valueFormatter: (v) => fmtMs(v) },
      legend: { top: 6, right: 10 },
      grid: { left: 60, right: 20, top: 44, bottom: 30 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: 'ms' },
      series: [
        { name: 'average', type: 'line', symbol: 'circle', symbolSize: 5, connectNulls: false,
          data: latency.points.map((p) => [p[0], p[2]]) },
        { name: 'p95', type: 'line', symbol: 'circle', symbolSize: 5, connectNulls: false,
          data: latency.points.map((p) => [p[0], p[3]]) },
      ],
    };
  }

  function instancesTable(items) {
    if (items.length === 0) return h('p', { class: 'empty', text: 'No instances registered.' });
    return h('table', { id: 'instances-table' },
      h('thead', {}, h('tr', {}, ['Instance', 'Address', 'Health', 'Sessions', 'In flight', 'Registered', 'Last heartbeat']
        .map((t, i) => h('th', { class: i >= 3 && i <= 4 ? 'num' : null, text: t })))),
      h('tbody', {}, items.map((i) => h('tr', { 'data-key': i.id },
        h('td', { text: i.id }), h('td', { text: i.address }), h('td', {}, pill(i.healthy ? 'healthy' : 'unhealthy')),
        h('td', { class: 'num', text: fmtInt(i.activeSessions) }), h('td', { class: 'num', text: fmtInt(i.inFlight) }),
        h('td', { text: fmtTime(i.registeredAt) }), h('td', { text: fmtAgo(i.lastHeartbeatAt) })))));
  }

  /** Who used the route in the window: per token, its requests (tcp: connections) and bytes. */
  function consumersTable(series) {
    if (!series.length) return h('p', { class: 'muted', text: 'No requests in this window.' });
    const rows = [...series].sort((x, y) => y.requests - x.requests);
    return h('table', { id: 'consumers-table' },
      h('thead', {}, h('tr', {}, ...['Token', 'Requests', 'Bytes in', 'Bytes out'].map((t, i) =>
        h('th', { class: i ? 'num' : '', text: t })))),
      h('tbody', {}, ...rows.map((s) => h('tr', {},
        h('td', { text: s.label === s.tokenId ? s.tokenId : `${s.label} (${s.tokenId})` }),
        h('td', { class: 'num', text: fmtInt(s.requests) }),
        h('td', { class: 'num', text: fmtBytes(s.bytesIn) }),
        h('td', { class: 'num', text: fmtBytes(s.bytesOut) })))));
  }

  async function renderMonitor(route) {
    const enc = encodeURIComponent(route);
    const summary = h('div', { id: 'monitor-summary', class: 'toolbar' });
    const volumeEl = h('div', { id: 'chart-volume', class: 'chart' });
    const latencyEl = h('div', { id: 'chart-latency', class: 'chart' });
    const instances = h('div', { id: 'monitor-instances' });
    const consumers = h('div', { id: 'monitor-consumers' });
    const problem = h('div');
    const kind = h('p', { id: 'monitor-kind', class: 'muted' });
    page(
      h('p', {}, h('a', { href: '#/endpoints', text: '← Endpoints' })),
      h('h1', { text: route }),
      kind,
      h('div', { class: 'toolbar' }, windowSelect(state.monitorWindow, (w) => { state.monitorWindow = w; load(); })),
      problem, summary,
      h('div', { class: 'charts' }, volumeEl, latencyEl),
      h('h2', { text: 'Consumers' }), consumers,
      h('h2', { text: 'Instances' }), instances);
    const volume = chart(volumeEl);
    const latency = chart(latencyEl);
    api('GET', `/routes/${enc}`).then((r) => kind.replaceChildren(
      `${r.kind} route${r.enabled ? '' : ', disabled'}${r.browser ? ', a browser route ' : ''}`,
      r.browser ? openButton(route, (e) => problem.replaceChildren(errorBox(e))) : '')).catch(() => {});
    const load = async () => {
      const w = state.monitorWindow;
      const q = `${windowQuery(w)}&stepSeconds=${WINDOWS[w].step}`;
      try {
        const [endpoints, requests, lat, inst] = await Promise.all([
          api('GET', `/endpoints?${windowQuery(w)}`),
          api('GET', `/endpoints/${enc}/requests?${q}&by=token`),
          api('GET', `/endpoints/${enc}/latency?${q}`),
          api('GET', `/routes/${enc}/instances`).catch((e) => (e.status === 404 ? { items: [] } : Promise.reject(e))),
        ]);
        problem.replaceChildren();
        const e = endpoints.items.find((x) => x.route === route);
        summary.replaceChildren(...(e ? [
          pill(e.status),
          h('span', { text: `${e.healthyInstances} / ${e.instances} healthy` }),
          h('span', { text: `uptime ${fmtDuration(e.uptimeSeconds)}` }),
          h('span', { id: 'monitor-total', text: `${fmtInt(e.totalRequests)} requests` }),
          h('span', { text: `${fmtRate(e.avgRequestsPerMinute)} req/min` }),
          h('span', { text: `avg ${fmtMs(e.avgLatencyMs)} · p95 ${fmtMs(e.p95LatencyMs)}` }),
          h('span', { text: `${fmtPct(e.errorRate)} errors` }),
          h('span', { id: 'monitor-bytes', text: `${fmtBytes(e.bytesIn)} in · ${fmtBytes(e.bytesOut)} out` }),
          h('span', { class: 'muted', text: e.url }),
        ] : [h('span', { class: 'muted', text: 'This route no longer exists; its history is shown.' })]));
        volume.setOption(volumeOption(requests), { notMerge: true });
        latency.setOption(latencyOption(lat), { notMerge: true });
        instances.replaceChildren(instancesTable(inst.items));
        consumers.replaceChildren(consumersTable(requests.series));
      } catch (e) {
        problem.replaceChildren(errorBox(e));
      }
    };
    await load();
    every(REFRESH_MS, load);
  }

  // ---- Tokens ------------------------------------------------------------------------------

  async function principalsOf(type) {
    const path = type === 'user' ? '/users' : '/service-accounts';
    return (await api('GET', path)).items.map((p) => p.name);
  }

  function tokenForm(onissued) {
    const error = h('p', { class: 'error', role: 'alert' });
    const names = h('select', { id: 'token-principal-name', required: true });
    const type = h('select', { id: 'token-principal-type', onchange: () => fillNames() },
      h('option', { value: 'service-account', text: 'service account' }), h('option', { value: 'user', text: 'user' }));
    const fillNames = async () => {
      try {
        const items = await principalsOf(type.value);
        names.replaceChildren(...items.map((n) => h('option', { value: n, text: n })));
      } catch (e) {
        error.textContent = e.message;
      }
    };
    fillNames();
    const form = h('form', { id: 'token-form', class: 'card', autocomplete: 'off' },
      h('h2', { text: 'Generate a token' }),
      h('div', { class: 'grid' },
        h('div', {}, h('label', { for: 'token-label', text: 'Label' }),
          h('input', { id: 'token-label', type: 'text', required: true, maxlength: '200', placeholder: 'acme-prod' })),
        h('div', {}, h('label', { for: 'token-principal-type', text: 'Principal type' }), type),
        h('div', {}, h('label', { for: 'token-principal-name', text: 'Principal' }), names),
        h('div', {}, h('label', { for: 'token-days', text: 'Expires in days' }),
          h('input', { id: 'token-days', type: 'number', min: '1', step: '1', value: '30', required: true })),
        h('div', {}, h('label', { for: 'token-routes', text: 'Limit to routes (optional, comma-separated)' }),
          h('input', { id: 'token-routes', type: 'text', placeholder: 'llm-inference' }))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'token-generate', text: 'Generate' })),
      error);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const body = {
        label: $('token-label').value.trim(),
        expiresInDays: Number($('token-days').value),
        principal: { type: type.value, name: names.value },
      };
      const routes = list($('token-routes').value);
      if (routes.length) body.routes = routes;
      try {
        onissued(await api('POST', '/tokens', body));
        form.reset();
        fillNames();
      } catch (e) {
        error.textContent = e.message;
      }
    });
    return form;
  }

  function secretNotice(issued) {
    const code = h('code', { id: 'new-token-secret', text: issued.token });
    const copied = h('span', { class: 'muted', id: 'new-token-copied' });
    const notice = h('div', { class: 'notice', id: 'new-token' },
      h('strong', { text: `Token “${issued.label}” for ${principal(issued.principal)}, expires ${fmtTime(issued.expiresAt)}.` }),
      h('p', { text: 'Copy it now: it is shown once and cannot be retrieved again.' }),
      h('div', { class: 'secret' }, code,
        h('button', { type: 'button', id: 'new-token-copy', text: 'Copy', onclick: async () => {
          try {
            await navigator.clipboard.writeText(issued.token);
          } catch (e) {
            const range = document.createRange();
            range.selectNodeContents(code);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            document.execCommand('copy');
          }
          copied.textContent = 'Copied.';
        } }),
        h('button', { type: 'button', id: 'new-token-done', text: 'Done', onclick: () => notice.remove() })),
      copied);
    return notice;
  }

  const TOKEN_COLUMNS = [
    { key: 'label', title: 'Label', value: (t) => t.label, cell: (t) => t.label },
    { key: 'id', title: 'Id', value: (t) => t.id, cell: (t) => h('code', { text: t.id }) },
    { key: 'principal', title: 'Principal', value: (t) => principal(t.principal), cell: (t) => principal(t.principal) },
    { key: 'createdAt', title: 'Created', value: (t) => t.createdAt, cell: (t) => fmtTime(t.createdAt) },
    { key: 'expiresAt', title: 'Expires', value: (t) => t.expiresAt, cell: (t) => fmtTime(t.expiresAt) },
    { key: 'createdBy', title: 'Created by', value: (t) => principal(t.createdBy), cell: (t) => principal(t.createdBy) },
    { key: 'status', title: 'Status', value: (t) => t.status, cell: (t) => h('span', { class: 'token-status' }, pill(t.status)) },
    { key: 'lastUsedAt', title: 'Last used', value: (t) => t.lastUsedAt || '', cell: (t) => fmtAgo(t.lastUsedAt) },
    { key: 'routes', title: 'Routes', value: (t) => (t.routes || []).join(','), cell: (t) => (t.routes ? t.routes.join(', ') : 'all allowed') },
  ];

  async function renderTokens() {
    const tk = state.tokens;
    tk.sort = tk.sort || { key: 'createdAt', dir: -1 };
    const holder = h('div', { id: 'tokens-holder' });
    const more = h('button', { type: 'button', id: 'tokens-more', text: 'Load more', hidden: true,
      onclick: () => load(tk.nextCursor) });
    const formHolder = h('div');
    const noticeHolder = h('div');
    const columns = [...TOKEN_COLUMNS, { key: 'action', title: '', value: () => 0, cell: (t) => (t.status === 'active'
      ? h('button', { type: 'button', class: 'danger revoke', text: 'Revoke', 'data-token': t.id, onclick: () => revoke(t) })
      : '') }];
    const draw = () => {
      const f = tk.filter.trim().toLowerCase();
      const rows = tk.items.filter((t) => !f || [t.label, t.id, principal(t.principal)].some((v) => v.toLowerCase().includes(f)));
      holder.replaceChildren(sortableTable('tokens-table', columns, rows, tk.sort, (s) => { tk.sort = s; draw(); }));
      more.hidden = !tk.nextCursor;
    };
    const load = async (cursor) => {
      try {
        const q = `status=${tk.status}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await api('GET', `/tokens?${q}`);
        tk.items = cursor ? tk.items.concat(res.items) : res.items;
        tk.nextCursor = res.nextCursor;
        draw();
      } catch (e) {
        holder.replaceChildren(errorBox(e));
      }
    };
    const revoke = async (t) => {
      const own = t.id === tokenId(state.token) ? ' It is the token you are signed in with: you will be signed out.' : '';
      const ok = await confirmDialog(`Revoke “${t.label}”?`,
        `Every node refuses ${t.id} (${principal(t.principal)}) from the moment this is confirmed. `
        + `This cannot be undone.${own}`, 'Revoke');
      if (!ok) return;
      try {
        // Shown in place with its new status until the next reload, so the change is visible.
        const revoked = await api('POST', `/tokens/${encodeURIComponent(t.id)}/revoke`);
        tk.items = tk.items.map((x) => (x.id === revoked.id ? revoked : x));
        draw();
      } catch (e) {
        holder.prepend(errorBox(e));
      }
    };
    page(
      h('h1', { text: 'Tokens' }),
      noticeHolder,
      h('div', { class: 'toolbar' },
        h('select', { id: 'tokens-status', 'aria-label': 'Status',
          onchange: (ev) => { tk.status = ev.target.value; load(); } },
          ['active', 'revoked', 'expired', 'all'].map((s) => h('option', { value: s, selected: s === tk.status, text: s }))),
        h('input', { id: 'tokens-search', type: 'search', placeholder: 'Search label, id, principal…', value: tk.filter,
          oninput: (ev) => { tk.filter = ev.target.value; draw(); } }),
        h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'primary', id: 'token-new', text: 'Generate token', onclick: () => {
          formHolder.replaceChildren(tokenForm((issued) => {
            noticeHolder.replaceChildren(secretNotice(issued));
            formHolder.replaceChildren();
            load();
          }));
          $('token-label').focus();
        } })),
      formHolder, holder, more);
    await load();
  }

  // ---- Routes ------------------------------------------------------------------------------

  /** The defaults of a route's fields, as the node applies them (GET /route-defaults), fetched once. */
  async function routeDefaults() {
    if (!state.routeDefaults) state.routeDefaults = await api('GET', '/route-defaults');
    return state.routeDefaults;
  }

  function routeForm(existing, defaults, ondone) {
    const r = existing || defaults;
    const error = h('p', { class: 'error', role: 'alert' });
    const matchKind = r.match && r.match.subdomain && !r.match.pathPrefix ? 'subdomain' : 'pathPrefix';
    const affinity = r.affinity;
    const field = (id, label, input) => h('div', {}, h('label', { for: id, text: label }), input);
    const form = h('form', { id: 'route-form', class: 'card', autocomplete: 'off' },
      h('h2', { text: existing ? `Edit route ${r.name}` : 'New static route' }),
      h('div', { class: 'grid' },
        field('route-name', 'Name', h('input', { id: 'route-name', type: 'text', required: true, value: r.name || '',
          disabled: !!existing, pattern: '[a-z0-9][a-z0-9\\-]{0,62}', placeholder: 'llm-inference' })),
        field('route-protocol', 'Protocol', h('select', { id: 'route-protocol', disabled: !!existing },
          h('option', { value: 'http', selected: r.protocol !== 'tcp', text: 'http (also HTTP/2, gRPC, WebSocket)' }),
          h('option', { value: 'tcp', selected: r.protocol === 'tcp', text: 'tcp (tunnel and session ports)' }))),
        field('route-upstream', 'Instances speak', h('select', { id: 'route-upstream' },
          ...[['http1', 'HTTP/1.1'], ['h2c', 'HTTP/2 in clear text (h2c, gRPC)'], ['h2', 'HTTP/2 over TLS (h2)']]
            .map(([v, t]) => h('option', { value: v, selected: (r.upstreamProtocol || 'http1') === v, text: t })))),
        field('route-match-kind', 'Match on', h('select', { id: 'route-match-kind' },
          h('option', { value: 'pathPrefix', selected: matchKind === 'pathPrefix', text: 'path prefix' }),
          h('option', { value: 'subdomain', selected: matchKind === 'subdomain', text: 'subdomain' }))),
        field('route-match', 'Prefix or subdomain', h('input', { id: 'route-match', type: 'text', required: r.protocol !== 'tcp',
          value: (r.match && (matchKind === 'subdomain' ? r.match.subdomain : r.match.pathPrefix)) || '',
          placeholder: '/llm-inference' })),
        field('route-groups', 'Allowed groups (comma-separated)', h('input', { id: 'route-groups', type: 'text',
          value: (r.allowedGroups || []).join(', ') })),
        field('route-sas', 'Allowed service accounts (comma-separated)', h('input', { id: 'route-sas', type: 'text',
          value: (r.allowedServiceAccounts || []).join(', ') })),
        field('route-affinity', 'Affinity', h('input', { id: 'route-affinity', type: 'text', value: affinity,
          list: 'affinity-options', placeholder: 'consumer | none | header:X-Session-Id' })),
        field('route-health-path', 'Health check path', h('input', { id: 'route-health-path', type: 'text',
          value: r.healthCheck.path || '' })),
        field('route-health-interval', 'Health check every (s)', h('input', { id: 'route-health-interval', type: 'number',
          min: '1', value: String(r.healthCheck.intervalSeconds) })),
        field('route-connect', 'Connect timeout (s)', h('input', { id: 'route-connect', type: 'number', min: '1',
          value: String(r.timeouts.connectSeconds) })),
        field('route-idle', 'Idle timeout (s)', h('input', { id: 'route-idle', type: 'number', min: '1',
          value: String(r.timeouts.idleSeconds) })),
        field('route-max-body', 'Max request body (bytes)', h('input', { id: 'route-max-body', type: 'number', min: '0',
          value: String(r.maxRequestBodyBytes) })),
        h('div', {}, h('label', { class: 'check' }, h('input', { id: 'route-strip', type: 'checkbox',
          checked: r.stripPrefix }), 'Strip the prefix before forwarding')),
        h('div', {}, h('label', { class: 'check' }, h('input', { id: 'route-enabled', type: 'checkbox',
          checked: r.enabled }), 'Enabled (a disabled route answers 503 and ends what is open on it)')),
        h('div', {}, h('label', { class: 'check' }, h('input', { id: 'route-browser', type: 'checkbox',
          checked: r.browser }), 'Browser route (web UIs: browsers sign in with a browser link)'))),
      h('datalist', { id: 'affinity-options' },
        ['consumer', 'none', 'header:X-Session-Id'].map((v) => h('option', { value: v }))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', text: 'Cancel', onclick: () => ondone(false) }),
        h('button', { type: 'submit', class: 'primary', id: 'route-save', text: existing ? 'Save' : 'Create' })),
      error);
    // A tcp route has no match, path or HTTP options: their fields hide (a tcp instance is checked by connecting).
    const showProtocol = () => {
      const tcp = $('route-protocol').value === 'tcp';
      for (const id of ['route-upstream', 'route-match-kind', 'route-match', 'route-health-path', 'route-max-body',
        'route-strip', 'route-browser']) {
        const el = $(id);
        (el.closest('div')).hidden = tcp;
      }
      $('route-match').required = !tcp;
    };
    form.querySelector('#route-protocol').addEventListener('change', showProtocol);
    setTimeout(showProtocol);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const kind = $('route-match-kind').value;
      const tcp = $('route-protocol').value === 'tcp';
      const common = {
        protocol: tcp ? 'tcp' : 'http',
        allowedGroups: list($('route-groups').value),
        allowedServiceAccounts: list($('route-sas').value),
        affinity: $('route-affinity').value.trim(),
        timeouts: { connectSeconds: Number($('route-connect').value), idleSeconds: Number($('route-idle').value) },
        enabled: $('route-enabled').checked,
      };
      const body = tcp ? { ...common, healthCheck: { intervalSeconds: Number($('route-health-interval').value) } } : {
        ...common,
        match: { [kind]: $('route-match').value.trim() },
        upstreamProtocol: $('route-upstream').value,
        stripPrefix: $('route-strip').checked,
        healthCheck: { path: $('route-health-path').value.trim(), intervalSeconds: Number($('route-health-interval').value) },
        maxRequestBodyBytes: Number($('route-max-body').value),
        browser: $('route-browser').checked,
      };
      try {
        if (existing) {
          await api('PUT', `/routes/${encodeURIComponent(r.name)}`, body);
        } else {
          await api('POST', '/routes', { name: $('route-name').value.trim(), ...body });
        }
        ondone(true);
      } catch (e) {
        error.textContent = e.message;
      }
    });
    return form;
  }

  async function renderRoutes() {
    const holder = h('div', { id: 'routes-holder' });
    const formHolder = h('div');
    let sort = { key: 'name', dir: 1 };
    let rows = [];
    const edit = async (existing) => {
      formHolder.replaceChildren(routeForm(existing, await routeDefaults(), (saved) => {
        formHolder.replaceChildren();
        if (saved) load();
      }));
      formHolder.scrollIntoView();
    };
    const remove = async (r) => {
      const ok = await confirmDialog(`Delete route “${r.name}”?`,
        `${r.url} stops answering at once on every node; its instances are no longer routed to.`, 'Delete');
      if (!ok) return;
      try {
        await api('DELETE', `/routes/${encodeURIComponent(r.name)}`);
      } catch (e) {
        holder.prepend(errorBox(e));
      }
      load();
    };
    const columns = [
      { key: 'name', title: 'Name', value: (r) => r.name, cell: (r) => h('a', { href: `#/endpoints/${encodeURIComponent(r.name)}`, text: r.name }) },
      { key: 'kind', title: 'Kind', value: (r) => r.kind, cell: (r) => r.kind },
      { key: 'url', title: 'URL', value: (r) => r.url, cell: (r) => r.url },
      { key: 'access', title: 'Who may call', value: (r) => access(r), cell: (r) => access(r) },
      { key: 'affinity', title: 'Affinity', value: (r) => r.affinity, cell: (r) => r.affinity },
      { key: 'enabled', title: 'Serving', value: (r) => (r.enabled ? 1 : 0), cell: (r) => (r.enabled ? 'yes' : 'disabled') },
      { key: 'browser', title: 'Browser', value: (r) => (r.browser ? 1 : 0),
        cell: (r) => (r.browser ? openButton(r.name, (e) => holder.prepend(errorBox(e))) : '') },
      { key: 'healthy', title: 'Healthy / instances', num: true, value: (r) => r.healthyInstances,
        cell: (r) => `${r.healthyInstances} / ${r.instances}` },
      { key: 'actions', title: '', value: () => 0, cell: (r) => (r.kind === 'static' ? h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'edit', text: 'Edit', onclick: () => edit(r) }),
        h('button', { type: 'button', class: 'danger delete', text: 'Delete', onclick: () => remove(r) })) : '') },
    ];
    const draw = () => holder.replaceChildren(sortableTable('routes-table', columns, rows, sort, (s) => { sort = s; draw(); }));
    const load = async () => {
      try {
        rows = (await api('GET', '/routes')).items;
        draw();
      } catch (e) {
        holder.replaceChildren(errorBox(e));
      }
    };
    page(
      h('h1', { text: 'Routes' }),
      h('p', { class: 'muted', text: 'Static routes are defined here and keep their URL whatever their instances do. '
        + 'Ephemeral routes appear when a deployment registers without a route and go with its last instance.' }),
      h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'primary', id: 'route-new', text: 'New route',
        onclick: () => edit(null) })),
      formHolder, holder);
    await load();
  }

  /**
   * "Open" for a browser route: a browser link made with the admin's own token (the admin API makes
   * it; the token never leaves this tab), opened in a new tab.
   */
  function openButton(route, onError) {
    return h('button', { type: 'button', class: 'open', text: 'Open', onclick: async () => {
      const tab = window.open('about:blank', '_blank');
      try {
        const link = await api('POST', `/routes/${encodeURIComponent(route)}/browser-link`, {});
        tab.opener = null;
        tab.location = link.url;
      } catch (e) {
        tab.close();
        onError(e);
      }
    } });
  }

  function access(r) {
    if (r.kind === 'ephemeral') return `project ${r.project}`;
    const who = [...r.allowedGroups.map((g) => `group:${g}`), ...r.allowedServiceAccounts.map((s) => `sa:${s}`)];
    return who.length ? who.join(', ') : 'admins only';
  }

  // ---- Routers -----------------------------------------------------------------------------

  async function renderRouters() {
    const holder = h('div', { id: 'routers-holder' });
    const load = async () => {
      try {
        const routers = (await api('GET', '/routers')).items;
        holder.replaceChildren(h('table', { id: 'routers-table' },
          h('thead', {}, h('tr', {}, ['Node', 'Status', 'Reachable', 'Roles', 'Version', 'Uptime', 'Data plane', 'Admin API',
            'Last test'].map((t) => h('th', { text: t })))),
          h('tbody', {}, routers.map((r) => h('tr', { 'data-key': r.address },
            h('td', {}, r.address, r.self ? h('span', { class: 'muted', text: ' (this node)' }) : '',
              r.leader ? h('span', { class: 'muted', text: ' leader' }) : ''),
            h('td', {}, pill(r.status === 'Up' ? 'up' : r.status.toLowerCase())),
            h('td', {}, pill(r.reachable ? 'healthy' : 'unhealthy')),
            h('td', { text: r.roles.join(', ') }), h('td', { text: r.version || '—' }),
            h('td', { text: fmtDuration(r.uptimeSeconds) }), h('td', { text: r.dataPlane || '—' }),
            h('td', { text: r.adminApi || '—' }),
            h('td', { class: 'last-test' }, r.lastTest
              ? [pill(r.lastTest.ok ? 'ok' : 'failed'), ' ', fmtTime(r.lastTest.time)] : '—'))))));
      } catch (e) {
        holder.replaceChildren(errorBox(e));
      }
    };
    // The connectivity test: this node routes a request to a probe through every node, then removes what it made.
    const result = h('div', { id: 'connectivity-result' });
    const button = h('button', { type: 'button', class: 'primary', id: 'connectivity-test', text: 'Test connectivity',
      onclick: async () => {
        button.disabled = true;
        result.replaceChildren(h('p', { class: 'muted', text: 'Testing: a probe, a token and an ephemeral route, then a request through every node ...' }));
        try {
          const r = await api('POST', '/routers/connectivity-test');
          result.replaceChildren(
            h('p', { id: 'connectivity-outcome', text: r.ok ? 'Every step passed.' : 'A step failed; what the test made was removed.' }),
            h('table', { id: 'connectivity-steps' },
              h('thead', {}, h('tr', {}, ['Step', 'Outcome', 'ms', 'Detail'].map((t) => h('th', { text: t })))),
              h('tbody', {}, r.steps.map((st) => h('tr', { class: st.ok ? 'step-ok' : 'step-failed' },
                h('td', { text: st.name }), h('td', {}, pill(st.ok ? 'ok' : 'failed')),
                h('td', { text: String(st.millis) }), h('td', { text: st.detail }))))));
          await load();
        } catch (e) {
          result.replaceChildren(errorBox(e));
        } finally {
          button.disabled = false;
        }
      } });
    page(h('h1', { text: 'Routers' }), h('p', { class: 'muted', text: `Namespace and cluster members as this node sees them.` }), holder,
      h('div', { class: 'toolbar' }, button), result);
    await load();
    every(REFRESH_MS, load);
  }

  // ---- navigation --------------------------------------------------------------------------

  async function route() {
    if (!state.token) {
      signOut();
      return;
    }
    leavePage();
    $('sign-in').hidden = true;
    $('page').hidden = false;
    $('nav').hidden = false;
    $('sign-out').hidden = false;
    const parts = (location.hash.replace(/^#\/?/, '') || 'endpoints').split('/').map(decodeURIComponent);
    document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === parts[0]));
    try {
      if (parts[0] === 'endpoints' && parts[1]) await renderMonitor(parts[1]);
      else if (parts[0] === 'tokens') await renderTokens();
      else if (parts[0] === 'routes') await renderRoutes();
      else if (parts[0] === 'routers') await renderRouters();
      else await renderEndpoints();
    } catch (e) {
      page(errorBox(e));
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('sign-in-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      $('sign-in-error').textContent = '';
      try {
        await signIn($('sign-in-token').value.trim());
        $('sign-in-token').value = '';
        showWho();
        route();
      } catch (e) {
        $('sign-in-error').textContent = e.message;
      }
    });
    $('sign-out').addEventListener('click', () => signOut());
    window.addEventListener('hashchange', route);
    window.addEventListener('resize', () => state.charts.forEach((c) => c.resize()));
    if (state.token) showWho();
    route();
  });
})();
