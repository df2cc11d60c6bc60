'use strict';
// The gateway's settings that deploy/validate.js checks against the rest of an overlay: the
// drain within the pod's termination grace; calls in flight, connections and dedupe entries
// within the memory limit; no development mode; HPA metrics on calls in flight that trigger
// before the gateway refuses calls.
// Each check takes the gateway's Deployment document `dep`, its container `c` (or pod spec), the
// environment the container gets (`env`: its ConfigMaps and literal env) and `report(doc, msg)`.

const fs = require('fs');
const path = require('path');

// What the gateway's memory is made of (server/memory_budget.h; its test keeps the two equal).
const BUDGET = JSON.parse(fs.readFileSync(path.join(__dirname, 'memory-budget.json'), 'utf8'));
// Per-pod gauges an HPA may scale on (type Pods, through prometheus-adapter), and the most of
// EKO_MAX_INFLIGHT their target may be: above it the gateway refuses calls before it scales out.
const HPA_POD_METRICS = ['eko_gateway_upstream_in_flight'];
const HPA_INFLIGHT_TARGET_MAX = 0.8;

// A size in bytes: redis.conf units (`redis` true, case-insensitive) or a Kubernetes quantity;
// NaN unless a whole number with a known unit.
const UNITS = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3, // redis.conf
  K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }; // Kubernetes quantities
const bytes = (q, redis) => {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(String(q)) || [0, NaN, ''];
  return Number(m[1]) * UNITS[redis ? m[2].toLowerCase() : m[2]]; // NaN unless a known unit
};

// ---- drain: SIGTERM, EKO_DRAIN_DELAY_MS still serving, then EKO_SHUTDOWN_GRACE_MS -------------
const DRAIN_MARGIN_MS = 5000; // time left for the cut-off answers and the exit after the grace
// EKO_TIMEOUT_MS <= EKO_SHUTDOWN_GRACE_MS, and EKO_DRAIN_DELAY_MS (none: 0) + EKO_SHUTDOWN_GRACE_MS
// + the margin <= terminationGracePeriodSeconds (the kubelet's SIGKILL).
function drainTiming(dep, pod, env, report) {
  const grace = Number(env.EKO_SHUTDOWN_GRACE_MS);
  const delay = env.EKO_DRAIN_DELAY_MS === undefined ? 0 : Number(env.EKO_DRAIN_DELAY_MS);
  if (!(Number.isInteger(delay) && delay >= 0)) report(dep, `EKO_DRAIN_DELAY_MS must be milliseconds, got '${env.EKO_DRAIN_DELAY_MS}'`);
  const termMs = 1000 * (pod.terminationGracePeriodSeconds === undefined ? 30 : pod.terminationGracePeriodSeconds);
  if (Number.isFinite(grace)) {
    if (grace + delay + DRAIN_MARGIN_MS > termMs) {
      report(dep, `terminationGracePeriodSeconds (${termMs / 1000}s) must exceed EKO_SHUTDOWN_GRACE_MS ` +
        `(${grace} ms) + EKO_DRAIN_DELAY_MS (${delay} ms) by at least ${DRAIN_MARGIN_MS} ms`);
    }
    const timeout = Number(env.EKO_TIMEOUT_MS === undefined ? 30000 : env.EKO_TIMEOUT_MS);
    if (timeout > grace) {
      report(dep, `EKO_TIMEOUT_MS (${timeout}) exceeds EKO_SHUTDOWN_GRACE_MS (${grace}): a drain would cut ` +
        'in-flight Eko calls whose outcome is then unknown');
    }
  }
}

// ---- memory: calls in flight, connections and dedupe entries within the limit ---------------
// The sum server/memory_budget.cc keeps within the cgroup limit when it derives --max-inflight:
// baseline + headroom + connections + in-memory dedupe entries + calls in flight <= limit.
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
function memoryBudget(dep, c, env, report) {
  const where = `container ${c.name}`;
  const quantity = ((c.resources || {}).limits || {}).memory;
  const limit = bytes(quantity, false);
  if (!(limit > 0)) {
    if (quantity !== undefined) report(dep, `${where}: resources.limits.memory '${quantity}' is not a size in bytes, K, M, G, Ki, Mi or Gi`);
    return;
  }
  for (const k of ['EKO_MAX_INFLIGHT', 'EKO_DEDUPE_MAX_ENTRIES']) {
    if (env[k] === undefined) report(dep, `${where}: ${k} is not set; size it to the memory limit (deploy/README.md, "Memory")`);
  }
  const count = (k, fallback) => {
    const n = env[k] === undefined || env[k] === '' ? fallback : Number(env[k]);
    if (!(Number.isInteger(n) && n >= 0)) report(dep, `${where}: ${k} must be a whole number, got '${env[k]}'`);
    return n;
  };
  const inflight = count('EKO_MAX_INFLIGHT', BUDGET.default_max_inflight);
  const connections = count('EKO_MAX_CONNECTIONS', BUDGET.default_max_connections);
  const dedupeInMemory = [undefined, '', 'memory'].includes(env.EKO_IDEMPOTENCY_STORE) &&
    !(env.EKO_DEDUPE_WINDOW_MS !== '' && Number(env.EKO_DEDUPE_WINDOW_MS) === 0);
  const entries = count('EKO_DEDUPE_MAX_ENTRIES', BUDGET.default_dedupe_max_entries);
  const reserved = [
    ['baseline', BUDGET.baseline_bytes],
    [`headroom ${BUDGET.headroom_percent} %`, Math.floor(limit / 100) * BUDGET.headroom_percent],
    [`${connections} connections`, connections * BUDGET.per_connection_bytes],
    [dedupeInMemory ? `${entries} dedupe entries` : 'dedupe in Redis or off', dedupeInMemory ? entries * BUDGET.per_dedupe_entry_bytes : 0],
  ];
  const need = reserved.reduce((sum, [, b]) => sum + b, inflight * BUDGET.per_call_bytes);
  if (need > limit) {
    const fit = Math.max(0, Math.floor((limit - (need - inflight * BUDGET.per_call_bytes)) / BUDGET.per_call_bytes));
    report(dep, `${where}: EKO_MAX_INFLIGHT=${inflight} needs ${mib(need)}, more than resources.limits.memory ` +
      `(${quantity}): ${inflight} calls ${mib(inflight * BUDGET.per_call_bytes)} + ` +
      `${reserved.map(([what, b]) => `${what} ${mib(b)}`).join(' + ')}; ${fit} calls fit (deploy/memory-budget.json)`);
  }
}

// ---- no development mode (the embedded simulator instead of Eko) -----------------------------
const FALSE_WORDS = ['', '0', 'false', 'no']; // what the gateway parses as false
function devMode(dep, c, env, report) {
  const dev = env.EKO_GATEWAY_DEV;
  if (dev !== undefined && !FALSE_WORDS.includes(String(dev).trim().toLowerCase())) {
    report(dep, `container ${c.name}: EKO_GATEWAY_DEV=${dev} turns on development mode (calls go to the ` +
      'embedded simulator, never to Eko); a deployed overlay must not set it');
  }
  for (const a of [...(c.command || []), ...(c.args || [])]) {
    const m = /^--dev(?:=(.*))?$/.exec(String(a));
    if (m && (m[1] === undefined || !FALSE_WORDS.includes(m[1].toLowerCase()))) {
      report(dep, `container ${c.name}: argument ${a} turns on development mode; a deployed overlay must not pass it`);
    }
  }
}

// ---- HPA metrics besides CPU: per-pod gauges of the gateway -----------------------------------
// A Kubernetes quantity as a number ("1500", "1.5k", "500m").
const SCALE = { '': 1, m: 1e-3, k: 1e3, M: 1e6 };
const amount = (q) => {
  const m = /^(\d+(?:\.\d+)?)([mkM]?)$/.exec(String(q));
  return m ? Number(m[1]) * SCALE[m[2]] : NaN;
};
function hpaMetrics(h, env, report) {
  const maxInflight = Number(env.EKO_MAX_INFLIGHT === undefined ? BUDGET.default_max_inflight : env.EKO_MAX_INFLIGHT);
  for (const m of h.obj.spec.metrics || []) {
    if (m.type === 'Resource') continue;
    if (m.type !== 'Pods') { report(h, `metric type ${m.type} is not checked by validate.js: use Resource or Pods`); continue; }
    const name = m.pods.metric.name;
    if (!HPA_POD_METRICS.includes(name)) report(h, `Pods metric ${name}: scale on a per-pod gauge of the gateway (${HPA_POD_METRICS.join(', ')})`);
    const t = m.pods.target;
    const target = amount(t.averageValue);
    if (t.type !== 'AverageValue' || !(target > 0 && target <= HPA_INFLIGHT_TARGET_MAX * maxInflight)) {
      report(h, `Pods metric ${name}: the target must be an averageValue above 0 and at most ` +
        `${HPA_INFLIGHT_TARGET_MAX * 100} % of EKO_MAX_INFLIGHT (${maxInflight}), got ${t.type} ${t.averageValue}: ` +
        'above it pods refuse calls (GATEWAY_OVERLOADED) before the HPA adds any');
    }
  }
}

module.exports = { bytes, drainTiming, memoryBudget, devMode, hpaMetrics };
