#!/usr/bin/env node
'use strict';
// Fallback kustomize renderer for deploy/check.sh, used only where `kubectl
// kustomize` (Kustomize v5) is missing. There is no kustomize on Debian 12 apt
// (kubernetes-client 1.20 embeds kustomize v2, which lacks `labels` and
// `patches`) and none on npm, so this implements exactly the subset our
// kustomizations use and refuses anything else:
//   resources (files and directories), namespace, labels (pairs,
//   includeSelectors: false, includeTemplates), images (newName/newTag),
//   configMapGenerator (envs, literals, behavior merge, kustomize's content-hash
//   name suffix and reference renaming), patches (path: strategic merge on
//   maps, containers merged by name; path + target {kind, name}: a JSON 6902
//   patch with add/replace/remove), components (directories of kind Component).
// Order, as in Kustomize v5.1+ (kusttarget.go accumulateTarget; release notes
// v5.1.0, "components are now applied after generators"): a kustomization's
// resources, then its generators, then its components, then its transformers
// (patches, images, labels, namespace). A Component gets no accumulator of its
// own: its resources and generators join the including kustomization's (so
// `behavior: merge` merges into a ConfigMap the overlay or its bases generate),
// and its patches act on everything accumulated so far; the including
// kustomization's own patches, images, labels and namespace then apply to the
// component's objects too. Stricter than kustomize: a patch target that
// matches no object is an error.
// Whenever kubectl is present, check.sh renders with both and runs
// `render.js --compare` so this fallback cannot drift from real kustomize.
//
// Usage: node deploy/render.js DIR              print the rendered YAML
//        node deploy/render.js --compare A B    exit 1 unless the two renders hold the same objects
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const YAML = require('yaml');

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images',
  'configMapGenerator', 'patches', 'components']);
const CLUSTER_SCOPED = new Set(['Namespace']);
const fail = (msg) => { throw new Error(msg); };
const readYaml = (file) => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
  if (d.errors.length) fail(`${file}: ${d.errors[0].message}`);
  return d.toJS();
}).filter((o) => o);

// kustomize's name suffix: sha256 of the JSON {"data","kind","name"} (keys sorted,
// as Go's json.Marshal does), first 10 hex digits with 0,1,3,a,e swapped for letters.
// Kustomize v5 hashes with an empty "name" (verified against kubectl's Kustomize v5.5.0).
function configMapHash(data) {
  const sorted = Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]]));
  const json = JSON.stringify({ data: sorted, kind: 'ConfigMap', name: '' })
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  const hex = crypto.createHash('sha256').update(json).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, (c) => ({ 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' })[c]);
}

function envFile(file) {
  const out = {};
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) fail(`${file}: not KEY=VALUE: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const MERGE_KEYS = { containers: 'name', initContainers: 'name', env: 'name', volumes: 'name',
  volumeMounts: 'mountPath', ports: 'containerPort' };

function strategicMerge(base, patch, key) {
  if (isMap(base) && isMap(patch)) {
    const out = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? strategicMerge(base[k], v, k) : v;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && MERGE_KEYS[key]) {
    const mk = MERGE_KEYS[key];
    const out = base.map((x) => ({ ...x }));
    for (const item of patch) {
      const i = out.findIndex((x) => x[mk] === item[mk]);
      if (i >= 0) out[i] = strategicMerge(out[i], item, null);
      else out.push(item);
    }
    return out;
  }
  return patch;
}

// Applies a JSON 6902 patch (RFC 6902 add, replace, remove) to a copy of obj.
function jsonPatch(obj, ops, where) {
  const out = structuredClone(obj);
  for (const { op, path: ptr, value } of ops) {
    if (!['add', 'replace', 'remove'].includes(op)) fail(`${where}: JSON patch op '${op}' is not supported`);
    if (typeof ptr !== 'string' || !ptr.startsWith('/')) fail(`${where}: bad JSON pointer '${ptr}'`);
    const keys = ptr.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop();
    let parent = out;
    for (const key of keys) {
      parent = parent[key];
      if (parent === null || typeof parent !== 'object') fail(`${where}: ${ptr}: no such path`);
    }
    if (Array.isArray(parent)) {
      const i = last === '-' && op === 'add' ? parent.length : Number(last);
      const end = op === 'add' ? parent.length : parent.length - 1;
      if (!/^(0|[1-9]\d*|-)$/.test(last) || !(i >= 0 && i <= end)) fail(`${where}: ${ptr}: index out of range`);
      if (op === 'add') parent.splice(i, 0, value);
      else if (op === 'replace') parent[i] = value;
      else parent.splice(i, 1);
    } else {
      if (op !== 'add' && !(last in parent)) fail(`${where}: ${ptr}: no such path`);
      if (op === 'remove') delete parent[last];
      else parent[last] = value;
    }
  }
  return out;
}

function applyPatches(k, kfile, dir, { objs, generated }) {
  const replace = (i, patched) => { // keeps generated ConfigMaps pointing at the patched object
    for (const g of generated) if (g.obj === objs[i]) g.obj = patched;
    objs[i] = patched;
  };
  for (const p of k.patches || []) {
    const keys = Object.keys(p).sort().join(',');
    if (!p.path || (keys !== 'path' && keys !== 'path,target')) {
      fail(`${kfile}: only 'patches: - path: FILE [target: {kind, name}]' is supported`);
    }
    const docs = readYaml(path.join(dir, p.path));
    if (!p.target) {
      if (docs.some(Array.isArray)) fail(`${kfile}: ${p.path}: a JSON 6902 patch needs a target`);
      for (const patch of docs) {
        const i = objs.findIndex((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
        if (i < 0) fail(`${kfile}: patch target ${patch.kind}/${patch.metadata.name} not found`);
        replace(i, strategicMerge(objs[i], patch, null));
      }
      continue;
    }
    const t = p.target;
    if (!Object.keys(t).every((x) => x === 'kind' || x === 'name')) fail(`${kfile}: patch target selects by kind and name only`);
    if (docs.length !== 1 || !Array.isArray(docs[0])) fail(`${kfile}: ${p.path}: a targeted patch must be a JSON 6902 list`);
    let hits = 0;
    objs.forEach((o, i) => {
      if ((t.kind === undefined || o.kind === t.kind) && (t.name === undefined || o.metadata.name === t.name)) {
        replace(i, jsonPatch(o, docs[0], `${kfile}: ${p.path}`));
        hits++;
      }
    });
    if (!hits) fail(`${kfile}: patch target ${t.kind || '*'}/${t.name || '*'} not found`);
  }
}

function readKustomization(dir, expectedKind) {
  const kfile = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => path.join(dir, f))
    .find((f) => fs.existsSync(f)) || fail(`${dir}: no kustomization.yaml`);
  const k = readYaml(kfile)[0];
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) fail(`${kfile}: field '${key}' is not supported by render.js`);
  const kind = k.kind || 'Kustomization';
  if (kind !== expectedKind) fail(`${kfile}: kind ${kind} where a ${expectedKind} is expected`);
  return { k, kfile };
}

function build(dir) {
  return accumulate(dir, 'Kustomization', { objs: [], generated: [] });
}

// Adds the kustomization (or Component) in dir to acc = { objs, generated }: the
// order is the one described at the top of this file.
function accumulate(dir, expectedKind, acc) {
  const { k, kfile } = readKustomization(dir, expectedKind);
  const { objs, generated } = acc; // generated: { base, obj } for hash renaming
  for (const r of k.resources || []) {
    const p = path.join(dir, r);
    if (fs.statSync(p).isDirectory()) {
      const sub = build(p);
      objs.push(...sub.objs);
      generated.push(...sub.generated);
    } else {
      objs.push(...readYaml(p));
    }
  }
  for (const g of k.configMapGenerator || []) {
    for (const key of Object.keys(g)) {
      if (!['name', 'envs', 'literals', 'behavior'].includes(key)) fail(`${kfile}: configMapGenerator.${key} unsupported`);
    }
    const data = {};
    for (const e of g.envs || []) Object.assign(data, envFile(path.join(dir, e)));
    for (const l of g.literals || []) {
      const eq = l.indexOf('=');
      data[l.slice(0, eq)] = l.slice(eq + 1);
    }
    const behavior = g.behavior || 'create';
    const existing = generated.find((x) => x.base === g.name);
    if (behavior === 'merge' || behavior === 'replace') {
      if (!existing) fail(`${kfile}: configMapGenerator ${g.name}: nothing to ${behavior}`);
      existing.obj.data = behavior === 'merge' ? { ...existing.obj.data, ...data } : data;
    } else {
      if (existing) fail(`${kfile}: configMapGenerator ${g.name} already exists`);
      const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data };
      generated.push({ base: g.name, obj });
      objs.push(obj);
    }
  }
  for (const c of k.components || []) accumulate(path.join(dir, c), 'Component', acc);
  applyPatches(k, kfile, dir, acc);
  for (const img of k.images || []) {
    for (const o of objs) {
      for (const c of ((((o.spec || {}).template || {}).spec || {}).containers || [])) {
        const m = /^([^@:]+(?::\d+\/[^@:]+)?)(?::([^@]+))?(@.+)?$/.exec(c.image);
        if (m && m[1] === img.name) c.image = `${img.newName || m[1]}:${img.newTag || m[2]}`;
      }
    }
  }
  for (const l of k.labels || []) {
    if (l.includeSelectors) fail(`${kfile}: labels.includeSelectors: true is not supported`);
    for (const o of objs) {
      o.metadata.labels = { ...(o.metadata.labels || {}), ...l.pairs };
      const tpl = (o.spec || {}).template;
      if (l.includeTemplates && tpl && o.kind === 'Deployment') {
        tpl.metadata = tpl.metadata || {};
        tpl.metadata.labels = { ...(tpl.metadata.labels || {}), ...l.pairs };
      }
    }
  }
  if (k.namespace) {
    for (const o of objs) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  return acc;
}

function render(dir) {
  const { objs, generated } = build(dir);
  const renamed = new Map();
  for (const g of generated) {
    const name = `${g.base}-${configMapHash(g.obj.data)}`;
    renamed.set(g.base, name);
    g.obj.metadata.name = name;
  }
  for (const o of objs) {
    const pod = ((o.spec || {}).template || {}).spec;
    if (!pod) continue;
    for (const c of pod.containers || []) {
      for (const ef of c.envFrom || []) if (ef.configMapRef && renamed.has(ef.configMapRef.name)) ef.configMapRef.name = renamed.get(ef.configMapRef.name);
      for (const e of c.env || []) {
        const ref = e.valueFrom && e.valueFrom.configMapKeyRef;
        if (ref && renamed.has(ref.name)) ref.name = renamed.get(ref.name);
      }
    }
    for (const v of pod.volumes || []) if (v.configMap && renamed.has(v.configMap.name)) v.configMap.name = renamed.get(v.configMap.name);
  }
  return objs;
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (isMap(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

function firstDiff(x, y, at) {
  if (isMap(x) && isMap(y) || Array.isArray(x) && Array.isArray(y)) {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const d = firstDiff(x[k], y[k], `${at}/${k}`);
      if (d) return d;
    }
    return null;
  }
  return JSON.stringify(x) === JSON.stringify(y) ? null : `${at}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`;
}

function compare(a, b) {
  const load = (f) => new Map(readYaml(f).map((o) => [`${o.kind}/${o.metadata.namespace || ''}/${o.metadata.name}`,
    JSON.stringify(canonical(o))]));
  const ma = load(a);
  const mb = load(b);
  const diffs = [];
  for (const key of new Set([...ma.keys(), ...mb.keys()])) {
    if (!ma.has(key)) diffs.push(`${key}: only in ${b}`);
    else if (!mb.has(key)) diffs.push(`${key}: only in ${a}`);
    else if (ma.get(key) !== mb.get(key)) diffs.push(`${key}: differs at ${firstDiff(JSON.parse(ma.get(key)), JSON.parse(mb.get(key)), '')}`);
  }
  for (const d of diffs) console.error(`render: ${d}`);
  return diffs.length ? 1 : 0;
}

try {
  const args = process.argv.slice(2);
  if (args[0] === '--compare' && args.length === 3) {
    process.exitCode = compare(args[1], args[2]);
  } else if (args.length === 1 && !args[0].startsWith('-')) {
    process.stdout.write(render(args[0]).map((o) => YAML.stringify(o)).join('---\n'));
  } else {
    console.error('usage: render.js DIR | render.js --compare A.yaml B.yaml');
    process.exitCode = 2;
  }
} catch (e) {
  console.error(`render: ${e.message}`);
  process.exitCode = 1;
}
