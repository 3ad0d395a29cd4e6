'use strict';
// Grid's dashboard page: polls the head's state API about once a second (the session cookie rides along; a 401
// sends the browser to /login) and redraws the overview, the charts and the tables. No framework and no build step:
// the page is small, has nothing to vendor or compile, and works without a network beyond the head.
// Everything the API says is put in the page as text (textContent), never as HTML.
(() => {
  const POLL_MS = 1000;
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

  // ---- formatting ----
  const pad = (n) => String(n).padStart(2, '0');
  const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const time = (iso) => (iso ? clock(new Date(iso)) : '');
  const bytes = (n) => {
    if (n == null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(i === 0 || n >= 100 ? 0 : 1)} ${units[i]}`;
  };
  const percent = (p) => (p == null ? '–' : `${p.toFixed(p >= 100 ? 0 : 1)} %`);
  const number = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, ''));
  const duration = (from, to) => {
    if (!from) return '';
    const s = Math.max(0, ((to ? new Date(to) : new Date()) - new Date(from)) / 1000);
    return s < 60 ? `${s.toFixed(1)} s` : s < 3600 ? `${Math.floor(s / 60)} m ${Math.round(s % 60)} s` : `${(s / 3600).toFixed(1)} h`;
  };
  // A node id is its silo's address (host:port@generation): the part before '@' names it well enough in a legend.
  const nodeName = (id) => (id ? id.split('@')[0] : '');
  const resourceAmount = (name, v) => (/memory/i.test(name) ? bytes(v) : number(v));

  // ---- DOM helpers ----
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c != null && c !== false) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const stateBadge = (s) => el('span', { class: `state ${s}` }, s);
  const mono = (text, title) => el('span', { class: 'mono', title: title || text }, text ?? '');
  // Long ids (tasks, objects, actors, owners) are clipped; the tooltip has them whole.
  const clipped = (text) => el('span', { class: 'mono clip', title: text }, text ?? '');
  // "Namespace.Type, Assembly, Version=…" → "Type"; the tooltip has it all.
  const className = (name) => el('span', { title: name }, name.split(',')[0].split('.').pop());
  function bar(used, total, label) {
    const fraction = total > 0 ? Math.min(1, used / total) : 0;
    return el('div', { class: 'bar', title: label },
      el('span', { class: `fill${fraction > 0.9 ? ' high' : ''}`, style: `width:${(fraction * 100).toFixed(1)}%` }),
      el('span', { class: 'label' }, label));
  }
  // The node:<address> resources (one per node, for node affinity, as Ray's) say nothing on a page: left out, as Ray's dashboard does.
  const resourceBars = (resources) => Object.entries(resources || {}).filter(([name]) => !name.startsWith('node:')).sort(([a], [b]) => a.localeCompare(b)).map(([name, r]) =>
    el('div', { class: 'resource', 'data-resource': name }, el('span', { class: 'name' }, name),
      bar(r.used, r.total, `${resourceAmount(name, r.used)} / ${resourceAmount(name, r.total)}`)));
  const fill = (id, rows, empty) => byTestId(id).replaceChildren(...(rows.length ? rows : [el('tr', { class: 'empty' }, el('td', { colspan: 20 }, empty))]));
  const shown = (id, page) => { byTestId(id).textContent = page.total > page.items.length ? `${page.items.length} of ${page.total}` : `${page.total}`; };

  // ---- the API ----
  class ApiFailure extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }
  async function api(path) {
    let response;
    try {
      response = await fetch(path, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new ApiFailure(0, `The head's web service did not answer (${e.message}).`);
    }
    if (response.status === 401) {
      location.assign('/login');
      throw new ApiFailure(401, 'Logged out: the head asks for the password.');
    }
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try { message = (await response.json()).error || message; } catch { /* not an ApiError body */ }
      throw new ApiFailure(response.status, response.status === 503 ? `The head cannot reach the cluster's GCS: ${message}` : message);
    }
    return response.json();
  }

  // ---- the overview ----
  function chips(id, counts) {
    byTestId(id).replaceChildren(...Object.entries(counts || {}).sort(([a], [b]) => a.localeCompare(b)).map(([state, n]) =>
      el('span', { class: `state ${state}` }, `${state.toLowerCase()} `, el('b', { 'data-testid': `${id.split('-')[0]}-${state.toLowerCase()}` }, n))));
  }
  function renderCluster(c) {
    byTestId('cluster-address').textContent = c.address;
    byTestId('nodes-alive').textContent = c.nodesAlive;
    byTestId('nodes-dead').textContent = c.nodesDead;
    for (const state of ['PENDING', 'RUNNING', 'FINISHED', 'FAILED'])
      byTestId(`tasks-${state.toLowerCase()}`).textContent = c.tasksByState?.[state] ?? 0;
    byTestId('tasks-rate').textContent = (c.tasksFinishedPerSecond ?? 0).toFixed(1);
    byTestId('cluster-resources').replaceChildren(...resourceBars(c.resources));
    chips('actors-by-state', c.actorsByState);
    chips('jobs-by-state', c.jobsByState);
    byTestId('placement-group-count').textContent = c.placementGroups;
    byTestId('object-store').replaceChildren(
      bar(c.objectStoreUsedBytes, c.objectStoreCapacityBytes, `${bytes(c.objectStoreUsedBytes)} / ${bytes(c.objectStoreCapacityBytes)}`),
      el('p', {}, `${bytes(c.objectStoreSpilledBytes)} spilled`));
  }

  // ---- the tables ----
  let nodes = [];
  function renderNodes(page) {
    nodes = [...page.items].sort((a, b) => (b.isHead - a.isHead) || a.state.localeCompare(b.state) || a.nodeId.localeCompare(b.nodeId));
    fill('nodes-table', nodes.map((n) => el('tr', { 'data-testid': 'node-row', 'data-state': n.state, 'data-node-id': n.nodeId },
      el('td', {}, mono(n.nodeId), n.isHead ? el('span', { class: 'badge', 'data-testid': 'head-badge' }, 'head') : null),
      el('td', {}, stateBadge(n.state)),
      el('td', {}, mono(n.address), el('div', { class: 'sub' }, n.hostName, n.pid != null ? ` · pid ${n.pid}` : '')),
      el('td', {}, percent(n.cpuPercent), el('div', { class: 'sub' }, bytes(n.memoryBytes))),
      el('td', {}, percent(n.machineCpuPercent), el('div', { class: 'sub' }, `${bytes(n.machineMemoryUsedBytes)} / ${bytes(n.machineMemoryTotalBytes)}`)),
      el('td', { class: 'wide' }, n.objectStoreCapacityBytes == null ? '–' : [
        bar(n.objectStoreUsedBytes, n.objectStoreCapacityBytes, `${bytes(n.objectStoreUsedBytes)} / ${bytes(n.objectStoreCapacityBytes)}`),
        n.objectStoreSpilledBytes ? el('div', { class: 'sub' }, `${bytes(n.objectStoreSpilledBytes)} spilled`) : null]),
      el('td', { class: 'wide' }, resourceBars(n.resources)),
      el('td', { 'data-testid': 'node-queued' }, n.queuedTasks),
      el('td', { class: 'reasons' }, (n.pendingReasons || []).map((r) => el('div', {}, r))))), 'No nodes.');
  }
  function renderTasks(page) {
    shown('tasks-shown', page);
    const tasks = [...page.items].sort((a, b) => new Date(b.queuedAt) - new Date(a.queuedAt));
    fill('tasks-table', tasks.map((t) => el('tr', { 'data-testid': 'task-row', 'data-state': t.state, 'data-name': t.name },
      el('td', {}, clipped(t.taskId)), el('td', {}, t.name), el('td', {}, stateBadge(t.state)), el('td', {}, mono(nodeName(t.nodeId), t.nodeId)),
      el('td', {}, mono(t.jobId)), el('td', {}, t.attempt), el('td', {}, time(t.queuedAt)),
      el('td', {}, duration(t.startedAt, t.endedAt)), el('td', { class: 'error' }, t.error ?? ''))), 'No tasks yet.');
  }
  function renderActors(page) {
    shown('actors-shown', page);
    fill('actors-table', page.items.map((a) => el('tr', { 'data-testid': 'actor-row', 'data-name': a.name ?? '', 'data-state': a.state },
      el('td', {}, clipped(a.actorId)), el('td', {}, className(a.className)), el('td', {}, a.name ?? '', a.detached ? el('span', { class: 'badge' }, 'detached') : null),
      el('td', {}, stateBadge(a.state)), el('td', {}, mono(nodeName(a.nodeId), a.nodeId)), el('td', {}, mono(a.jobId)),
      el('td', {}, Object.entries(a.resources || {}).filter(([k]) => !k.startsWith('node:')).map(([k, v]) => `${k} ${resourceAmount(k, v)}`).join(', ')),
      el('td', {}, `${a.restartCount} / ${a.maxRestarts < 0 ? '∞' : a.maxRestarts}`), el('td', {}, a.pid ?? ''),
      el('td', {}, time(a.createdAt)), el('td', { class: 'error' }, a.deathCause ?? a.pendingReason ?? ''))), 'No actors.');
  }
  function renderObjects(page) {
    shown('objects-shown', page);
    fill('objects-table', page.items.map((o) => el('tr', { 'data-testid': 'object-row' },
      el('td', {}, clipped(o.objectId)), el('td', {}, mono(nodeName(o.nodeId), o.nodeId)), el('td', {}, bytes(o.sizeBytes)),
      el('td', {}, clipped(o.owner ?? '')), el('td', {}, o.spilled ? 'yes' : ''),
      el('td', {}, o.localRefs ?? '?'), el('td', {}, o.submittedRefs ?? '?'), el('td', {}, o.borrowers ?? '?'))), 'No objects.');
  }
  function renderPlacementGroups(page) {
    fill('placement-groups-table', page.items.map((p) => el('tr', { 'data-testid': 'placement-group-row', 'data-state': p.state },
      el('td', {}, clipped(p.placementGroupId)), el('td', {}, p.name ?? ''), el('td', {}, stateBadge(p.state)), el('td', {}, p.strategy),
      el('td', {}, p.bundles.map((b, i) => el('div', {}, Object.entries(b).map(([k, v]) => `${k} ${resourceAmount(k, v)}`).join(', '),
        el('span', { class: 'sub' }, ` (${p.bundleNodes[i] ? nodeName(p.bundleNodes[i]) : 'not placed'})`)))),
      el('td', { class: 'error' }, p.pendingReason ?? ''))), 'No placement groups.');
  }

  // ---- jobs and the log of the one selected ----
  const log = { id: null, offset: 0, ended: false };
  function selectJob(id) {
    if (log.id === id) return;
    Object.assign(log, { id, offset: 0, ended: false });
    byTestId('job-log').textContent = '';
    byTestId('job-log-id').textContent = id;
    byTestId('job-log').closest('.log').hidden = false;
    document.querySelectorAll('[data-testid="job-row"]').forEach((r) => r.classList.toggle('selected', r.dataset.id === id));
  }
  function renderJobs(page) {
    const jobs = [...page.items].sort((a, b) => new Date(b.startTime || 0) - new Date(a.startTime || 0));
    // Until one is picked, the log shown is the newest submitted job's.
    const first = jobs.find((j) => j.submissionId);
    if (log.id == null && first) selectJob(first.submissionId);
    fill('jobs-table', jobs.map((j) => el('tr', { 'data-testid': 'job-row', 'data-id': j.submissionId ?? j.jobId, 'data-status': j.status,
      class: j.submissionId && j.submissionId === log.id ? 'selected' : null, onclick: j.submissionId ? () => selectJob(j.submissionId) : null },
      el('td', {}, j.submissionId ? el('button', { class: 'link mono', type: 'button' }, j.submissionId) : ''),
      el('td', {}, mono(j.jobId ?? '')), el('td', {}, j.type), el('td', {}, stateBadge(j.status)),
      el('td', {}, mono(j.entrypoint)), el('td', {}, j.exitCode ?? ''), el('td', {}, time(j.startTime)), el('td', {}, time(j.endTime)),
      el('td', { class: 'error' }, j.message ?? ''))), 'No jobs.');
  }
  async function followLog() {
    // A few reads a tick catch up with a long log; a job that ended and was read to the end is not asked again.
    for (let i = 0; i < 8 && log.id && !log.ended; i++) {
      const id = log.id;
      const chunk = await api(`/api/jobs/${encodeURIComponent(id)}/logs?offset=${log.offset}`);
      if (id !== log.id) return;
      const pre = byTestId('job-log');
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      if (chunk.text) pre.append(chunk.text);
      if (atEnd) pre.scrollTop = pre.scrollHeight;
      log.offset = chunk.nextOffset;
      log.ended = chunk.ended && !chunk.text;
      byTestId('job-log-state').textContent = chunk.ended ? '(ended)' : '(running, live)';
      if (!chunk.text) break;
    }
  }

  // ---- charts (charts.js draws them) ----
  const COLORS = GridCharts.COLORS;
  const lineChart = (id, series, format, windowMs) => {
    const host = byTestId(id);
    host.dataset.samples = Math.max(0, ...series.map((s) => s.points.length));
    host.replaceChildren(GridCharts.lineChart(id, series, format, windowMs),
      el('div', { class: 'legend' }, series.map((s) => el('span', {}, el('i', { style: `background:${s.color}` }), s.name))));
  };
  function renderHistory(history, windowMs = 5 * 60000) {
    const heads = new Set(nodes.filter((n) => n.isHead).map((n) => n.nodeId));
    const ids = Object.keys(history.nodes || {}).sort();
    const perNode = (pick) => ids.map((id, i) => ({
      name: nodeName(id) + (heads.has(id) ? ' (head)' : ''),
      color: COLORS[i % COLORS.length],
      points: history.nodes[id].map((s) => [Date.parse(s.time), pick(s)]),
    }));
    lineChart('chart-cpu', perNode((s) => s.cpuPercent), (v) => `${number(Math.round(v))} %`, windowMs);
    lineChart('chart-memory', perNode((s) => s.memoryBytes), bytes, windowMs);
    const tasks = history.tasks || [];
    lineChart('chart-tasks', [
      { name: 'finished / s', color: COLORS[2], points: tasks.map((s) => [Date.parse(s.time), s.finishedPerSecond]) },
      { name: 'running', color: COLORS[0], points: tasks.map((s) => [Date.parse(s.time), s.running]) },
      { name: 'pending', color: COLORS[4], points: tasks.map((s) => [Date.parse(s.time), s.pending]) },
    ], (v) => number(Math.round(v * 10) / 10), windowMs);
  }

  // ---- polling ----
  function banner(failures) {
    const b = byTestId('error-banner');
    b.hidden = failures.length === 0;
    b.dataset.status = failures.length ? String(failures[0].status) : '';
    b.replaceChildren(...[...new Set(failures.map((f) => f.message))].map((m) => el('div', {}, m)));
  }
  const reads = [
    ['/api/cluster', renderCluster],
    ['/api/nodes?limit=500', renderNodes],
    ['/api/tasks?limit=50', renderTasks],
    ['/api/actors?limit=100', renderActors],
    ['/api/objects?limit=100', renderObjects],
    ['/api/placement-groups?limit=100', renderPlacementGroups],
    ['/api/jobs?limit=100', renderJobs],
    ['/api/history?minutes=5', renderHistory],
  ];
  async function tick() {
    const results = await Promise.allSettled(reads.map(([path]) => api(path)));
    const failures = [];
    results.forEach((r, i) => {
      if (r.status === 'rejected') { failures.push(r.reason); return; }
      try { reads[i][1](r.value); } catch (e) { failures.push(new ApiFailure(-1, `Could not show ${reads[i][0]}: ${e.message}`)); }
    });
    try { await followLog(); } catch (e) { failures.push(e); }
    if (failures.some((f) => f.status === 401)) return; // on the way to /login
    banner(failures);
    const updated = byTestId('last-updated');
    if (failures.length < results.length) updated.textContent = `updated ${clock(new Date())}`;
    updated.classList.toggle('stale', failures.length > 0);
    setTimeout(tick, POLL_MS);
  }
  tick();
})();
