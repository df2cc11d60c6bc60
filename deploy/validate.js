#!/usr/bin/env node
'use strict';
// Offline validation of eko-gateway's Kubernetes manifests (run by deploy/check.sh).
//
// Usage: node deploy/validate.js [MODE] FILE... [MODE] FILE...
//   Modes apply to the files after them:
//     --schema-only      schema + unknown-field checks (e.g. the rendered base)
//     --deployable       schema + unknown fields + this project's policy (a rendered overlay)
//     --secret-template  schema + unknown fields + "placeholders only" (secret.template.yaml)
//   FILE is multi-document YAML ('-' reads stdin).
//
// Three layers, each reported as "FILE: doc N (Kind/name): message":
//   1. Schema: kubernetes-models (bundled Kubernetes OpenAPI schemas, compiled AJV
//      validators) -- types, required fields, enums, formats.
//   2. Unknown fields: kubernetes-models does not flag misspelled or unknown fields
//      (`replcas:` passes). We run the same compiled validator on a Proxy of the
//      document and record every property it looks up: a validator reads each field
//      its schema declares (present or not) and enumerates the keys of maps
//      (labels, data, ...). A key of a structured object that the validator never
//      read is not in the schema, so it is reported, like kubeconform -strict.
//   3. Policy (--deployable): what this deployment relies on -- non-root read-only
//      container, gRPC probes on the right services, drain delay and grace within the
//      pod's termination grace, resources set, references between objects resolve, no
//      Secret rendered (keys are created out of band), no spec.replicas under an HPA;
//      a Redis idempotency store that resolves, is reachable and is bounded (idempotencyStore);
//      memory, dev mode and HPA metrics as validate-settings.js checks them.
// Exit status: 0 when every file passes, 1 on any finding, 2 on usage errors.

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

// Kinds this project ships (apiVersion/kind), each checked with its kubernetes-models class
// and compiled schema module IoK8sApi<Group><Version><Kind> (the function the class validates
// with). Anything else is an error: a new kind must be added here deliberately.
const KINDS = new Set(['v1/Namespace', 'v1/ServiceAccount', 'v1/ConfigMap', 'v1/Secret', 'v1/Service',
  'apps/v1/Deployment', 'apps/v1/StatefulSet', 'autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget', 'networking.k8s.io/v1/NetworkPolicy']);

const GATEWAY = 'eko-gateway'; // the gateway's Deployment
const WORKLOADS = ['Deployment', 'StatefulSet'];
const GRPC_PORT = 50051;
const REDIS_PORT = 6379;
const METRICS_PORT = 9464;
const READINESS_SERVICE = 'eko.onboarding.v1.OnboardingService';
const SECRET_NAME = 'eko-gateway-credentials';
const PLACEHOLDER = 'REPLACE_ME';
// Env keys the manifests must set (flags the lead implements; see deploy/README.md).
const REQUIRED_ENV = ['EKO_BASE_URL', 'EKO_ACCESS_KEY_FILE', 'EKO_METRICS_LISTEN', 'EKO_SHUTDOWN_GRACE_MS',
  'EKO_MAX_CONNECTION_AGE_MS', 'EKO_KEEPALIVE_TIME_MS', 'EKO_MAX_CONNECTIONS', 'EKO_HANDSHAKE_TIMEOUT_MS'];
const { bytes, drainTiming, memoryBudget, devMode, hpaMetrics } = require('./validate-settings');

const modelsDir = path.dirname(require.resolve('kubernetes-models/package.json'));

function loadKind(key) {
  const [, group, api, version, kind] = /^((?:([^/]+)\/)?(v\w+))\/(\w+)$/.exec(key);
  const cap = (x) => x[0].toUpperCase() + x.slice(1);
  const schema = `IoK8sApi${cap((api || 'core').split('.')[0])}${cap(version)}${kind}`;
  const Model = require(`kubernetes-models/${group}`)[kind];
  const { validate } = require(path.join(modelsDir, '_schemas', `${schema}.js`));
  if (typeof Model !== 'function' || typeof validate !== 'function') {
    throw new Error(`kubernetes-models has no ${key} (schema ${schema})`);
  }
  return { Model, validate };
}

// ---- layer 2: unknown fields ----------------------------------------------------
function isObject(v) { return v !== null && typeof v === 'object'; }

function unknownFields(validateFn, doc) {
  const records = new Map(); // target -> { read: Set, enumerated: bool }
  const proxies = new Map();
  const wrap = (target) => {
    if (!isObject(target)) return target;
    if (proxies.has(target)) return proxies.get(target);
    const rec = { read: new Set(), enumerated: false };
    records.set(target, rec);
    const p = new Proxy(target, {
      get(t, prop, recv) {
        if (typeof prop === 'string') rec.read.add(prop);
        return wrap(Reflect.get(t, prop, recv));
      },
      has(t, prop) {
        if (typeof prop === 'string') rec.read.add(prop);
        return Reflect.has(t, prop);
      },
      ownKeys(t) { rec.enumerated = true; return Reflect.ownKeys(t); },
    });
    proxies.set(target, p);
    return p;
  };
  validateFn(wrap(doc));
  const found = [];
  const walk = (node, where) => {
    const rec = records.get(node);
    if (!rec) return; // never reached: its parent is unknown or opaque
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${where}/${i}`));
      return;
    }
    const opaque = rec.read.size === 0; // schema without properties ({}): not checked
    for (const key of Object.keys(node)) {
      if (!rec.enumerated && !opaque && !rec.read.has(key)) {
        found.push(`${where}/${key}: unknown field (not in the schema)`);
      } else {
        walk(node[key], `${where}/${key}`);
      }
    }
  };
  walk(doc, '');
  return found;
}

// ---- layer 3: project policy ------------------------------------------------------
const matches = (selector, labels) =>
  isObject(selector) && Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels && labels[k] === v);

function policy(docs, report) {
  const byKind = (k) => docs.filter((d) => d.obj.kind === k);
  const ns = new Set(docs.filter((d) => d.obj.kind !== 'Namespace').map((d) => d.obj.metadata.namespace));
  if (ns.size !== 1 || ns.has(undefined)) report(null, `all objects must share one namespace, got ${[...ns].join(', ')}`);
  for (const d of byKind('Secret')) {
    report(d, 'a rendered overlay must not contain a Secret: applying it would overwrite the real Eko keys ' +
      '(create the Secret out of band from deploy/k8s/secret.template.yaml)');
  }
  const dep = byKind('Deployment').find((d) => d.obj.metadata.name === GATEWAY);
  if (!dep) { report(null, `expected the Deployment ${GATEWAY}`); return; }
  const spec = dep.obj.spec;
  const pod = spec.template.spec || {};
  const podLabels = (spec.template.metadata || {}).labels || {};
  const cms = new Map(byKind('ConfigMap').map((d) => [d.obj.metadata.name, d.obj.data || {}]));

  if (!matches(spec.selector.matchLabels, podLabels)) report(dep, 'selector does not match the pod template labels');
  if (pod.automountServiceAccountToken !== false) report(dep, 'automountServiceAccountToken must be false');
  const psc = pod.securityContext || {};
  if (psc.runAsNonRoot !== true) report(dep, 'pod securityContext.runAsNonRoot must be true');
  if (!psc.seccompProfile || psc.seccompProfile.type !== 'RuntimeDefault') {
    report(dep, 'pod securityContext.seccompProfile.type must be RuntimeDefault');
  }
  if ((pod.containers || []).length !== 1) report(dep, 'expected exactly one container');
  const c = (pod.containers || [])[0];
  if (!c) return;
  const where = `container ${c.name}`;
  const sc = c.securityContext || {};
  if (sc.readOnlyRootFilesystem !== true) report(dep, `${where}: readOnlyRootFilesystem must be true`);
  if (sc.allowPrivilegeEscalation !== false) report(dep, `${where}: allowPrivilegeEscalation must be false`);
  if (sc.privileged === true) report(dep, `${where}: must not be privileged`);
  if (!((sc.capabilities || {}).drop || []).includes('ALL')) report(dep, `${where}: capabilities.drop must include ALL`);
  if ((sc.capabilities || {}).add) report(dep, `${where}: must not add capabilities`);
  if (sc.runAsUser === 0 || psc.runAsUser === 0) report(dep, `${where}: must not run as uid 0`);
  if (!/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(c.image || '') || /:latest$/.test(c.image)) {
    report(dep, `${where}: image '${c.image}' needs an explicit tag (not latest) or digest`);
  }
  const res = c.resources || {};
  for (const kind of ['requests', 'limits']) {
    for (const r of ['cpu', 'memory']) {
      if (!(res[kind] || {})[r]) report(dep, `${where}: resources.${kind}.${r} must be set`);
    }
  }
  const ports = new Map((c.ports || []).map((p) => [p.name, p.containerPort]));
  if (ports.get('grpc') !== GRPC_PORT) report(dep, `${where}: needs port 'grpc' = ${GRPC_PORT}`);
  if (ports.get('metrics') !== METRICS_PORT) report(dep, `${where}: needs port 'metrics' = ${METRICS_PORT}`);
  const probe = (name, service) => {
    const p = c[name];
    if (!p || !p.grpc) { report(dep, `${where}: ${name} must be a gRPC probe`); return; }
    if (p.grpc.port !== GRPC_PORT) report(dep, `${where}: ${name}.grpc.port must be ${GRPC_PORT}`);
    if ((p.grpc.service || '') !== service) {
      report(dep, `${where}: ${name}.grpc.service must be '${service}', got '${p.grpc.service || ''}'`);
    }
  };
  probe('livenessProbe', '');
  probe('readinessProbe', READINESS_SERVICE);

  // Environment: the ConfigMap(s) the container loads, plus explicit env.
  const env = {};
  for (const ef of c.envFrom || []) {
    if (ef.configMapRef) {
      if (!cms.has(ef.configMapRef.name)) report(dep, `${where}: envFrom ConfigMap '${ef.configMapRef.name}' is not rendered`);
      Object.assign(env, cms.get(ef.configMapRef.name) || {});
    }
  }
  for (const [name, data] of cms) {
    for (const key of Object.keys(data)) {
      if (!/^EKO_[A-Z0-9_]+$/.test(key)) report(null, `ConfigMap ${name}: key ${key} is not an EKO_* setting`);
      if (/(KEY|SECRET|TOKEN|PASSWORD)$/.test(key)) report(null, `ConfigMap ${name}: ${key} looks secret; use the Secret`);
    }
  }
  const secretEnv = new Set();
  for (const e of c.env || []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom && e.valueFrom.secretKeyRef;
    if (ref) {
      secretEnv.add(e.name);
      if (ref.name !== SECRET_NAME) report(dep, `${where}: env ${e.name} reads Secret '${ref.name}', expected '${SECRET_NAME}'`);
    }
    if (/(KEY|SECRET|TOKEN|PASSWORD)$/.test(e.name) && e.value !== undefined) {
      report(dep, `${where}: env ${e.name} has a literal value; secrets come from the Secret`);
    }
  }
  for (const k of REQUIRED_ENV) if (env[k] === undefined) report(dep, `${where}: ${k} is not set`);
  if (!secretEnv.has('EKO_DEVELOPER_KEY')) report(dep, `${where}: EKO_DEVELOPER_KEY must come from the Secret`);
  if (env.EKO_ACCESS_KEY !== undefined || secretEnv.has('EKO_ACCESS_KEY')) {
    report(dep, `${where}: use EKO_ACCESS_KEY_FILE (a Secret mount), not EKO_ACCESS_KEY`);
  }
  if (env.EKO_BASE_URL !== undefined && !/^https:\/\//.test(env.EKO_BASE_URL)) report(dep, `${where}: EKO_BASE_URL must be https`);
  if (env.EKO_ACCESS_KEY_FILE) {
    const mountsSecret = (c.volumeMounts || []).some((m) => {
      const vol = (pod.volumes || []).find((v) => v.name === m.name);
      return vol && vol.secret && vol.secret.secretName === SECRET_NAME && m.readOnly === true &&
        env.EKO_ACCESS_KEY_FILE.startsWith(m.mountPath.replace(/\/?$/, '/'));
    });
    if (!mountsSecret) report(dep, `${where}: EKO_ACCESS_KEY_FILE is not inside a read-only mount of Secret ${SECRET_NAME}`);
  }
  const tmp = (c.volumeMounts || []).find((m) => m.mountPath === '/tmp');
  const tmpVol = tmp && (pod.volumes || []).find((v) => v.name === tmp.name);
  if (!tmpVol || !tmpVol.emptyDir) report(dep, `${where}: /tmp must be an emptyDir (read-only root filesystem)`);

  drainTiming(dep, pod, env, report);
  memoryBudget(dep, c, env, report);
  devMode(dep, c, env, report);

  // The idempotency store's objects are checked apart; the other workloads, Services,
  // HPA, PDB and NetworkPolicy must point at this Deployment's pods and ports.
  const gatewayNps = byKind('NetworkPolicy').filter((n) => matches(n.obj.spec.podSelector.matchLabels, podLabels));
  const store = idempotencyStore(docs, env, { dep, gatewayNps }, report);
  const notStore = ' and is no part of the idempotency store EKO_IDEMPOTENCY_STORE names';
  for (const w of docs.filter((d) => WORKLOADS.includes(d.obj.kind) && d !== dep && !store.has(d))) {
    report(w, `is not the gateway${notStore}`);
  }
  const services = byKind('Service').filter((d) => !store.has(d));
  if (!services.some((s) => s.obj.spec.type === undefined || s.obj.spec.type === 'ClusterIP')) {
    report(null, 'expected a ClusterIP Service');
  }
  for (const s of services) {
    if (!matches(s.obj.spec.selector, podLabels)) { report(s, `selector does not match the pods${notStore}`); continue; }
    for (const p of s.obj.spec.ports || []) {
      const target = p.targetPort === undefined ? p.port : p.targetPort;
      const ok = typeof target === 'string' ? ports.has(target) : [...ports.values()].includes(target);
      if (!ok) report(s, `port ${p.name}: targetPort ${target} is not a container port`);
      if (p.name === 'grpc' && p.appProtocol !== 'grpc') report(s, 'port grpc needs appProtocol: grpc');
    }
  }
  const hpas = byKind('HorizontalPodAutoscaler');
  if (hpas.length !== 1) report(null, `expected one HorizontalPodAutoscaler, got ${hpas.length}`);
  for (const h of hpas) {
    const t = h.obj.spec.scaleTargetRef;
    if (t.kind !== 'Deployment' || t.name !== dep.obj.metadata.name) report(h, 'scaleTargetRef is not the Deployment');
    if (!(h.obj.spec.minReplicas >= 1) || h.obj.spec.maxReplicas < h.obj.spec.minReplicas) {
      report(h, 'needs 1 <= minReplicas <= maxReplicas');
    }
    if (spec.replicas !== undefined) report(dep, 'spec.replicas must be left out: the HPA owns the replica count');
    hpaMetrics(h, env, report);
  }
  const pdbs = byKind('PodDisruptionBudget');
  if (pdbs.length !== 1) report(null, `expected one PodDisruptionBudget, got ${pdbs.length}`);
  for (const p of pdbs) {
    if (!matches(p.obj.spec.selector.matchLabels, podLabels)) report(p, 'selector does not match the pods');
    const min = hpas.length ? hpas[0].obj.spec.minReplicas : 1;
    if (p.obj.spec.minAvailable !== undefined && Number(p.obj.spec.minAvailable) >= min) {
      report(p, `minAvailable ${p.obj.spec.minAvailable} >= minReplicas ${min} would block every node drain`);
    }
  }
  const strayNps = byKind('NetworkPolicy').filter((d) => !store.has(d) && !gatewayNps.includes(d));
  for (const n of strayNps) report(n, `podSelector does not match the pods${notStore}`);
  if (gatewayNps.length !== 1) report(null, `expected one NetworkPolicy for the pods, got ${gatewayNps.length}`);
  for (const n of gatewayNps) {
    const s = n.obj.spec;
    const types = s.policyTypes || [];
    if (!types.includes('Ingress') || !types.includes('Egress')) report(n, 'policyTypes must include Ingress and Egress');
    const inPorts = (s.ingress || []).flatMap((r) => (r.ports || []).map((p) => p.port));
    const outPorts = (s.egress || []).flatMap((r) => (r.ports || []).map((p) => `${p.protocol || 'TCP'}/${p.port}`));
    for (const p of [GRPC_PORT, METRICS_PORT]) if (!inPorts.includes(p)) report(n, `no ingress rule for port ${p}`);
    for (const p of ['UDP/53', 'TCP/443']) if (!outPorts.includes(p)) report(n, `no egress rule for ${p}`);
    if ((s.ingress || []).some((r) => !r.from || r.from.length === 0)) report(n, 'an ingress rule allows every source');
  }
}

// ---- the idempotency store (EKO_IDEMPOTENCY_STORE=redis://HOST[:PORT][/DB]) -------------
// HOST is a Service of the overlay when it is one label or NAME.NAMESPACE[.svc[.cluster.local]]
// in the overlay's namespace, else (a dotted name or address outside it) it only needs an egress
// rule for its port. The Redis behind the Service runs non-root with requests, a memory limit and
// --maxmemory below it with noeviction (when full, writes fail and the failure mode applies rather
// than claims being dropped). Returns the store's documents (Service, workload, its NetworkPolicies).
const podLabelsOf = (w) => (w.obj.spec.template.metadata || {}).labels || {};
// Whether an egress rule lets TCP `port` (number, or the pod's port name) reach pods with `labels` (null: anywhere).
const allows = (rule, port, name, labels, ns) =>
  (!rule.ports || !rule.ports.length || rule.ports.some((p) => (p.protocol || 'TCP') === 'TCP' && [undefined, port, name].includes(p.port))) &&
  (labels === null || !rule.to || !rule.to.length || rule.to.some((p) => matches((p.podSelector || {}).matchLabels, labels) &&
    (!p.namespaceSelector || (p.namespaceSelector.matchLabels || {})['kubernetes.io/metadata.name'] === ns)));

function idempotencyStore(docs, env, { dep, gatewayNps }, report) {
  const owned = new Set();
  const { EKO_IDEMPOTENCY_STORE: url, EKO_IDEMPOTENCY_STORE_FAILURE: failure } = env;
  const redis = url !== undefined && url !== 'memory';
  if (!['closed', 'open'].includes(failure) && (redis || failure !== undefined)) {
    report(dep, `EKO_IDEMPOTENCY_STORE_FAILURE must be closed or open (got ${JSON.stringify(failure) || 'none'})`);
  }
  if (!redis) return owned;
  const m = /^redis:\/\/(\[[0-9a-fA-F:.]+\]|[^:/@?#[\]]+)(?::(\d{1,5}))?(?:\/(\d*))?$/.exec(url);
  if (!m) report(dep, 'EKO_IDEMPOTENCY_STORE must be memory or redis://HOST[:PORT][/DB] (no user info or query)');
  if (!m) return owned;
  const [, host, port = REDIS_PORT] = m;
  const ns = dep.obj.metadata.namespace;
  const local = new RegExp(`^([a-z0-9-]+)(\\.${ns}(\\.svc(\\.cluster\\.local)?)?)?$`).exec(host);
  const egressTo = (port, name, labels) =>
    gatewayNps.some((n) => (n.obj.spec.egress || []).some((r) => allows(r, port, name, labels, ns)));
  if (!local && !egressTo(Number(port), undefined, null)) report(null, `the gateway's NetworkPolicy allows no egress to TCP ${port} (${host})`);
  if (!local) return owned;
  const svc = docs.find((d) => d.obj.kind === 'Service' && d.obj.metadata.name === local[1]);
  if (!svc) {
    report(dep, `EKO_IDEMPOTENCY_STORE names host '${host}', but no Service ${local[1]} is rendered in this overlay ` +
      '(name a Service of the overlay, or a fully qualified name outside it)');
    return owned;
  }
  owned.add(svc);
  const sp = (svc.obj.spec.ports || []).find((p) => p.port === Number(port));
  if (!sp) report(svc, `has no port ${port}, the port of EKO_IDEMPOTENCY_STORE`);
  const target = sp && sp.targetPort !== undefined ? sp.targetPort : Number(port);
  const workloads = docs.filter((d) => WORKLOADS.includes(d.obj.kind) && matches(svc.obj.spec.selector, podLabelsOf(d)));
  if (workloads.length !== 1) report(svc, `selects ${workloads.length} Deployments/StatefulSets, expected the one Redis`);
  for (const w of workloads) {
    owned.add(w);
    docs.filter((d) => d.obj.kind === 'NetworkPolicy' && matches(d.obj.spec.podSelector.matchLabels, podLabelsOf(w)))
      .forEach((n) => owned.add(n));
    const pod = w.obj.spec.template.spec;
    const cp = pod.containers.flatMap((c) => (c.ports || []).map((p) => ({ ...p, c })))
      .find((p) => p.containerPort === target || p.name === target);
    if (!cp) { report(w, `no container serves port ${target} of Service ${svc.obj.metadata.name}`); continue; }
    redisContainer(w, pod, cp.c, report);
    if (!egressTo(cp.containerPort, cp.name, podLabelsOf(w))) {
      report(null, `the gateway's NetworkPolicy allows no egress to ${w.obj.metadata.name} on TCP ${cp.containerPort}`);
    }
  }
  return owned;
}

function redisContainer(w, pod, c, report) {
  const where = `container ${c.name}`;
  const [psc, sc, res] = [pod.securityContext || {}, c.securityContext || {}, c.resources || {}];
  const pick = (k) => (sc[k] === undefined ? psc[k] : sc[k]);
  if (pick('runAsNonRoot') !== true || pick('runAsUser') === 0) report(w, `${where}: must run as non-root (runAsNonRoot, uid not 0)`);
  if (sc.allowPrivilegeEscalation !== false) report(w, `${where}: allowPrivilegeEscalation must be false`);
  for (const [kind, r] of [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']]) {
    if (!(res[kind] || {})[r]) report(w, `${where}: resources.${kind}.${r} must be set`);
  }
  const args = [...(c.command || []), ...(c.args || [])].flatMap((a) => String(a).split(/\s+/));
  const arg = (flag) => args[args.indexOf(flag) + 1 || args.length];
  const maxmemory = bytes(arg('--maxmemory'), true);
  if (!(maxmemory > 0)) report(w, `${where}: needs --maxmemory (a size above 0)`);
  else if (!(maxmemory < bytes((res.limits || {}).memory, false))) report(w, `${where}: --maxmemory must stay below resources.limits.memory`);
  if (arg('--maxmemory-policy') !== 'noeviction') report(w, `${where}: needs --maxmemory-policy noeviction`);
}

function secretTemplate(docs, report) {
  const secrets = docs.filter((d) => d.obj.kind === 'Secret');
  if (secrets.length !== docs.length || secrets.length !== 1) report(null, 'expected exactly one Secret');
  for (const d of secrets) {
    if (d.obj.metadata.name !== SECRET_NAME) report(d, `name must be ${SECRET_NAME}`);
    if (d.obj.data) report(d, 'use stringData with placeholders, not data');
    const sd = d.obj.stringData || {};
    for (const k of ['access-key', 'developer-key', 'initiator-id']) if (!(k in sd)) report(d, `missing key ${k}`);
    for (const [k, v] of Object.entries(sd)) {
      if (v !== PLACEHOLDER) report(d, `stringData.${k} must be the placeholder ${PLACEHOLDER}, never a real value`);
    }
  }
}

// ---- driver -------------------------------------------------------------------------
function checkFile(file, mode) {
  const rel = path.relative(process.cwd(), file);
  const label = file === '-' ? '<stdin>' : (rel && !rel.startsWith('..') ? rel : file);
  const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  const findings = [];
  const docs = [];
  YAML.parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true }).forEach((doc, i) => {
    const at = `doc ${i + 1}`;
    for (const e of doc.errors) findings.push(`${at}: YAML error: ${e.message}`);
    for (const w of doc.warnings) findings.push(`${at}: YAML warning: ${w.message}`);
    if (doc.errors.length) return;
    const obj = doc.toJS();
    if (obj === null || obj === undefined) return; // empty document
    const id = `${at} (${obj.kind || '?'}/${(obj.metadata || {}).name || '?'})`;
    const key = `${obj.apiVersion}/${obj.kind}`;
    if (!KINDS.has(key)) { findings.push(`${id}: ${key} is not a kind this project validates (add it to KINDS)`); return; }
    const { Model, validate } = loadKind(key);
    try {
      new Model(obj).validate();
    } catch (e) {
      const errs = e.errors || [{ instancePath: '', message: e.message }];
      for (const err of errs) findings.push(`${id}: schema: ${err.instancePath || '/'} ${err.message}`);
    }
    for (const u of unknownFields(validate, obj)) findings.push(`${id}: ${u}`);
    if (!obj.metadata || !obj.metadata.name) findings.push(`${id}: metadata.name is required`);
    docs.push({ obj, id });
  });
  if (docs.length === 0 && findings.length === 0) findings.push('no documents');
  const report = (d, msg) => findings.push(d ? `${d.id}: ${msg}` : msg);
  if (findings.length === 0) {
    if (mode === 'deployable') policy(docs, report);
    if (mode === 'secret-template') secretTemplate(docs, report);
  }
  for (const f of findings) console.error(`validate: ${label}: ${f}`);
  if (findings.length === 0) {
    const kinds = docs.map((d) => d.obj.kind).join(', ');
    console.log(`validate: ${label}: ${docs.length} documents OK (${mode}: ${kinds})`);
  }
  return findings.length;
}

function main(argv) {
  let mode = 'schema-only';
  let failures = 0;
  let files = 0;
  for (const a of argv) {
    if (a === '--schema-only' || a === '--deployable' || a === '--secret-template') { mode = a.slice(2); continue; }
    if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 10).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      return 0;
    }
    if (a.startsWith('--')) { console.error(`validate: unknown option ${a}`); return 2; }
    files++;
    try {
      failures += checkFile(a, mode);
    } catch (e) {
      console.error(`validate: ${a}: ${e.message}`);
      failures++;
    }
  }
  if (files === 0) { console.error('validate: no files given (see --help)'); return 2; }
  return failures ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
