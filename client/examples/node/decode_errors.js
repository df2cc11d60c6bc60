#!/usr/bin/env node
// Decodes the rich error details that eko-onboarding-gateway returns.
//
// Usage: node decode_errors.js [ADDR] [SIM_ADMIN_URL]
//
//   ADDR           gateway address, default 127.0.0.1:50051 (plaintext).
//   SIM_ADMIN_URL  optional (also env EKO_SIM_ADMIN_URL): the admin URL that
//                  `eko-gateway --dev` prints ("eko-gateway simulator on URL").
//                  When given, the wrong-OTP call first checks which OTP the
//                  simulator issued, so "000000" is never the right one.
//
// Makes two calls that must fail and prints every detail of each failure:
//   (a) OnboardCustomer with customer_id "12345" and dob 2001-02-30
//       -> INVALID_ARGUMENT, reason FIELD_INVALID, violations on customer_id, dob
//   (b) OnboardCustomer of a fresh 9xxxxxxxxx number, then VerifyCustomerOtp
//       with a valid-looking but wrong OTP
//       -> INVALID_ARGUMENT, reason OTP_INVALID, violation on otp
// Exit status: 0 when both failed as expected, 1 when not, 2 on a setup error.
//
// The channel uses the gateway's shipped client retry policy and timeouts: the
// gRPC service config in deploy/grpc-service-config.json (env EKO_SERVICE_CONFIG
// names another file), passed as the 'grpc.service_config' channel option.
//
// Protos: the repo's proto/ dir (env EKO_PROTO_DIR) and Google's googleapis
// protos (env EKO_GOOGLEAPIS_DIR, default Debian's golang-github-gogo-googleapis-dev).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const DOMAIN = 'eko-onboarding-gateway';
const DETAILS_KEY = 'grpc-status-details-bin';
const TIMEOUT_MS = 10000;

const PROTO_DIR = process.env.EKO_PROTO_DIR || path.resolve(__dirname, '../../../proto');
const GOOGLEAPIS_DIR =
  process.env.EKO_GOOGLEAPIS_DIR || '/usr/share/gocode/src/github.com/gogo/googleapis';

// The service, through @grpc/proto-loader.
const packageDefinition = protoLoader.loadSync('eko/onboarding/v1/onboarding_service.proto', {
  includeDirs: [PROTO_DIR, GOOGLEAPIS_DIR],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const v1 = grpc.loadPackageDefinition(packageDefinition).eko.onboarding.v1;

// google.rpc.Status and every detail type, through protobufjs. protobufjs has
// google/protobuf/{any,duration}.proto built in.
const rpcRoot = new protobuf.Root();
rpcRoot.resolvePath = (origin, target) => path.join(GOOGLEAPIS_DIR, target);
rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
const Status = rpcRoot.lookupType('google.rpc.Status');

// Status code number -> name (grpc.status maps names to numbers).
const CODE_NAMES = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [v, k]));

function durationText(d) {
  const seconds = Number(d.seconds || 0);
  const nanos = d.nanos || 0;
  return nanos ? `${seconds + nanos / 1e9}s` : `${seconds}s`;
}

// Human-readable lines for one decoded detail message.
function detailLines(name, m) {
  switch (name) {
    case 'ErrorInfo':
      return [`ErrorInfo: reason=${m.reason} domain=${m.domain}`].concat(
        Object.keys(m.metadata || {}).sort().map((k) => `  metadata ${k} = ${m.metadata[k]}`));
    case 'BadRequest':
      return ['BadRequest:'].concat(
        (m.field_violations || []).map((v) => `  field ${v.field}: ${v.description}`));
    case 'PreconditionFailure':
      return ['PreconditionFailure:'].concat((m.violations || []).map(
        (v) => `  type=${v.type} subject=${v.subject}: ${v.description}`));
    case 'QuotaFailure':
      return ['QuotaFailure:'].concat(
        (m.violations || []).map((v) => `  subject=${v.subject}: ${v.description}`));
    case 'RetryInfo':
      return [`RetryInfo: retry_delay=${durationText(m.retry_delay || {})}`];
    case 'ResourceInfo':
      return [`ResourceInfo: type=${m.resource_type} name=${m.resource_name} ` +
              `owner=${m.owner} description=${m.description}`];
    case 'RequestInfo':
      return [`RequestInfo: request_id=${m.request_id} serving_data=${m.serving_data}`];
    case 'DebugInfo':
      return [`DebugInfo: detail=${m.detail}`].concat(
        (m.stack_entries || []).map((s) => `  at ${s}`));
    case 'Help':
      return ['Help:'].concat((m.links || []).map((l) => `  ${l.description}: ${l.url}`));
    case 'LocalizedMessage':
      return [`LocalizedMessage: locale=${m.locale} message=${m.message}`];
    default:
      return [`${name}: ${JSON.stringify(m)}`];
  }
}

// Prints a failed call's status and details; returns what the checks need.
function decodeFailure(err) {
  const codeName = CODE_NAMES[err.code] || String(err.code);
  console.log(`code:    ${codeName} (${err.code})`);
  console.log(`message: ${err.details}`);
  const found = { code: codeName, errorInfos: [], violations: [] };
  const raw = err.metadata ? err.metadata.get(DETAILS_KEY) : [];
  if (!raw.length) {
    console.log(`(no ${DETAILS_KEY} trailer)`);
    return found;
  }
  const st = Status.decode(raw[0]); // grpc-js already base64-decoded the -bin value: a Buffer.
  if (st.code !== err.code || st.message !== err.details) {
    console.log(`warning: google.rpc.Status says code=${st.code} message=${JSON.stringify(st.message)}`);
  }
  for (const any of st.details) {
    const typeName = any.type_url.split('/').pop();
    const Type = typeName.startsWith('google.rpc.') ? rpcRoot.lookup(typeName) : null;
    if (!(Type instanceof protobuf.Type)) {
      console.log(`${any.type_url}: (unknown detail type, ${any.value.length} bytes)`);
      continue;
    }
    const m = Type.toObject(Type.decode(any.value), { longs: String, defaults: true });
    for (const line of detailLines(Type.name, m)) console.log(line);
    if (Type.name === 'ErrorInfo') found.errorInfos.push(m);
    if (Type.name === 'BadRequest') found.violations.push(...m.field_violations.map((v) => v.field));
  }
  return found;
}

// Prints PASS/FAIL for one failure against what the gateway documents.
function check(found, code, reason, fields) {
  const problems = [];
  if (found.code !== code) problems.push(`code ${found.code}, want ${code}`);
  const infos = found.errorInfos;
  if (infos.length !== 1) {
    problems.push(`${infos.length} ErrorInfo details, want exactly 1`);
  } else {
    if (infos[0].reason !== reason) problems.push(`reason ${infos[0].reason}, want ${reason}`);
    if (infos[0].domain !== DOMAIN) problems.push(`domain ${infos[0].domain}, want ${DOMAIN}`);
  }
  for (const field of fields) {
    if (!found.violations.includes(field)) problems.push(`no BadRequest violation on ${field}`);
  }
  const want = `${code} + ${reason}, violations on ${fields.join(', ')}`;
  if (problems.length) {
    console.log(`check: FAIL (want ${want}): ${problems.join('; ')}`);
    return false;
  }
  console.log(`check: PASS (${want})`);
  return true;
}

// Promise of a unary call's response (rejects with the grpc error).
function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + TIMEOUT_MS);
    client[method](request, { deadline }, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

// Runs one call that must fail; resolves to decodeFailure's result or null.
async function callExpectingFailure(client, method, request) {
  try {
    const response = await unary(client, method, request);
    console.log(`unexpected success: next_step=${response.next_step}`);
    return null;
  } catch (err) {
    if (err.code === undefined) throw err; // Not a gRPC status: a bug here.
    return decodeFailure(err);
  }
}

// The OTP the --dev simulator last issued to customerId, or null. Plain
// http.get: never goes through a proxy.
function simOtp(adminUrl, customerId) {
  const url = `${adminUrl.replace(/\/$/, '')}/otp?customer_id=${encodeURIComponent(customerId)}`;
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => {
        try {
          resolve(JSON.parse(body).otp || null);
        } catch (e) {
          console.log(`(could not read the simulator's OTP: ${e.message})`);
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => {
      console.log(`(could not read the simulator's OTP: ${e.message})`);
      resolve(null);
    });
  });
}

// Onboards a random new 9xxxxxxxxx customer; resolves to [customerId, otpRefId].
async function onboardFresh(client) {
  let customerId = '9';
  for (let i = 0; i < 9; i++) customerId += crypto.randomInt(10);
  const response = await unary(client, 'OnboardCustomer', {
    customer_id: customerId,
    name: 'Example Customer',
    dob: { year: 1990, month: 5, day: 17 },
    residence_address: ['123 MG Road', 'Bangalore', 'Karnataka', '560001'],
  });
  console.log(`setup:   OnboardCustomer ${customerId} -> ${response.next_step}, ` +
              `otp_ref_id ${response.otp_ref_id}`);
  return [customerId, response.otp_ref_id];
}

// The service config's JSON text (retry UNAVAILABLE only, per-method timeouts).
function loadServiceConfig() {
  const file = process.env.EKO_SERVICE_CONFIG ||
    path.join(__dirname, '..', '..', '..', 'deploy', 'grpc-service-config.json');
  const text = fs.readFileSync(file, 'utf8');
  JSON.parse(text);  // fail here, not on the first call, when the file is broken
  console.log(`service config: ${path.normalize(file)}`);
  return text;
}

async function main(argv) {
  const addr = argv[2] || '127.0.0.1:50051';
  const adminUrl = argv[3] || process.env.EKO_SIM_ADMIN_URL || '';
  let serviceConfig;
  try {
    serviceConfig = loadServiceConfig();
  } catch (e) {
    console.error(`decode_errors.js: cannot load the service config: ${e.message}`);
    return 2;
  }
  // Connect directly: never through an http_proxy/grpc_proxy from the environment.
  const client = new v1.OnboardingService(addr, grpc.credentials.createInsecure(),
    { 'grpc.enable_http_proxy': 0, 'grpc.service_config': serviceConfig });
  let ok = true;
  try {
    console.log('== (a) OnboardCustomer customer_id="12345" dob=2001-02-30 (local validation)');
    let found = await callExpectingFailure(client, 'OnboardCustomer', {
      customer_id: '12345',
      name: 'Example Customer',
      dob: { year: 2001, month: 2, day: 30 },
      residence_address: ['123 MG Road', 'Bangalore'],
    });
    ok = (found !== null && check(found, 'INVALID_ARGUMENT', 'FIELD_INVALID', ['customer_id', 'dob'])) && ok;
    console.log();

    console.log('== (b) VerifyCustomerOtp with a wrong OTP for a fresh customer');
    let customerId;
    let otpRefId;
    try {
      [customerId, otpRefId] = await onboardFresh(client);
    } catch (err) {
      if (err.code === undefined) throw err;
      console.log('setup failed:');
      decodeFailure(err);
      return 1;
    }
    let wrong = '000000';
    if (adminUrl && (await simOtp(adminUrl, customerId)) === wrong) wrong = '999999';
    console.log(`calling: VerifyCustomerOtp otp=${wrong}`);
    found = await callExpectingFailure(client, 'VerifyCustomerOtp',
      { customer_id: customerId, otp: wrong, otp_ref_id: otpRefId });
    if (found === null && wrong === '000000') {
      // The simulator issued 000000 (one chance in a million) and we could not
      // ask it: the customer is now verified, so use another one.
      console.log('the simulator had issued 000000; retrying with a new customer and 999999');
      [customerId, otpRefId] = await onboardFresh(client);
      console.log('calling: VerifyCustomerOtp otp=999999');
      found = await callExpectingFailure(client, 'VerifyCustomerOtp',
        { customer_id: customerId, otp: '999999', otp_ref_id: otpRefId });
    }
    ok = (found !== null && check(found, 'INVALID_ARGUMENT', 'OTP_INVALID', ['otp'])) && ok;
  } finally {
    client.close();
  }
  console.log();
  console.log(`node: ${ok ? 'OK, both calls failed as expected' : 'FAILED'}`);
  return ok ? 0 : 1;
}

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (e) => {
    console.error(`decode_errors.js: ${e.stack || e}`);
    process.exitCode = 2;
  });
