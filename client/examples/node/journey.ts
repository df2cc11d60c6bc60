// A customer journey and two decoded errors through the eko-onboarding-v1 npm
// package (ts-proto + @grpc/grpc-js), in TypeScript.
//
// Usage: tsc -p tsconfig.json && node journey.js ADDR SIM_ADMIN_URL
//   ADDR           gateway address (plaintext), e.g. 127.0.0.1:50051
//   SIM_ADMIN_URL  what `eko-gateway --dev` prints as "eko-gateway simulator on URL"
//
// Same steps as ../python/journey.py: GetCustomer -> OnboardCustomer ->
// VerifyCustomerOtp with the simulator's OTP; an invalid OnboardCustomer
// (ErrorInfo FIELD_INVALID + BadRequest); GetCustomer under an injected 429
// (ErrorInfo UPSTREAM_RATE_LIMITED + RetryInfo 3s). createClient() puts the
// package's shipped service config on the channel (timeouts, waitForReady,
// retries of UNAVAILABLE); every call also sets its own deadline.
import * as http from "http";
import { Metadata, ServiceError } from "@grpc/grpc-js";
import {
  createClient,
  decodeError,
  DateMessage,
  ERROR_DOMAIN,
  GetCustomerRequest,
  GetCustomerResponse,
  NextStep,
  OnboardCustomerRequest,
  OnboardCustomerResponse,
  OnboardingServiceClient,
  VerifyCustomerOtpRequest,
  VerifyCustomerOtpResponse,
} from "eko-onboarding-v1";

const DEADLINE_MS = 10_000;

type Unary<Req, Res> = (
  req: Req, md: Metadata, opts: { deadline: number },
  cb: (err: ServiceError | null, res: Res) => void) => unknown;

/** One call with its own deadline, as a promise. */
function call<Req, Res>(client: OnboardingServiceClient, rpc: Unary<Req, Res>, req: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    rpc.call(client, req, new Metadata(), { deadline: Date.now() + DEADLINE_MS },
      (err, res) => (err ? reject(err) : resolve(res))));
}

/** The outcome of a call that must fail. */
async function failure<Req, Res>(client: OnboardingServiceClient, rpc: Unary<Req, Res>, req: Req) {
  try {
    await call(client, rpc, req);
  } catch (err) {
    const decoded = decodeError(err as ServiceError);
    for (const i of decoded.errorInfo) console.log(`  ErrorInfo reason=${i.reason} domain=${i.domain}`);
    for (const b of decoded.badRequest) {
      for (const v of b.fieldViolations) console.log(`  BadRequest ${v.field}: ${v.description}`);
    }
    for (const r of decoded.retryInfo) console.log(`  RetryInfo retry_delay=${r.retryDelay?.seconds}s`);
    return decoded;
  }
  return undefined;
}

/** A JSON request to the simulator's admin API (local, no proxy). */
function admin(url: string, method = "GET", body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: 5000 }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => { try { resolve(JSON.parse(text)); } catch (e) { reject(e); } });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const newCustomerId = () => "9" + String(Math.floor(Math.random() * 1e9)).padStart(9, "0");

async function main(addr: string, adminUrl: string): Promise<number> {
  const client = createClient(addr, { channelOptions: { "grpc.enable_http_proxy": 0 } });
  let failed = 0;
  const check = (name: string, ok: boolean, what: string) => {
    console.log(`${ok ? "PASS" : "FAIL"} ${name}: ${what}`);
    if (!ok) failed++;
  };
  try {
    const customerId = newCustomerId();
    const got = await call<GetCustomerRequest, GetCustomerResponse>(
      client, client.getCustomer, GetCustomerRequest.fromPartial({ customerId }));
    check("1 GetCustomer", got.nextStep === NextStep.NEXT_STEP_ONBOARD_CUSTOMER,
      `${customerId} -> ${NextStep[got.nextStep]}`);

    const onboarded = await call<OnboardCustomerRequest, OnboardCustomerResponse>(
      client, client.onboardCustomer, OnboardCustomerRequest.fromPartial({
        customerId, name: "Example Customer", dob: DateMessage.fromPartial({ year: 1990, month: 5, day: 17 }),
        residenceAddress: ["123 MG Road", "Bangalore", "Karnataka", "560001"],
      }));
    check("2 OnboardCustomer",
      onboarded.nextStep === NextStep.NEXT_STEP_VERIFY_CUSTOMER_OTP && onboarded.otpRefId !== "",
      `${NextStep[onboarded.nextStep]}, otp_ref_id ${onboarded.otpRefId}`);

    const { otp } = await admin(`${adminUrl}/otp?customer_id=${customerId}`);
    const verified = await call<VerifyCustomerOtpRequest, VerifyCustomerOtpResponse>(
      client, client.verifyCustomerOtp,
      VerifyCustomerOtpRequest.fromPartial({ customerId, otp, otpRefId: onboarded.otpRefId }));
    check("3 VerifyCustomerOtp", verified.nextStep !== NextStep.NEXT_STEP_UNSPECIFIED,
      `otp ${otp} -> ${NextStep[verified.nextStep]}`);

    const invalid = await failure<OnboardCustomerRequest, OnboardCustomerResponse>(
      client, client.onboardCustomer, OnboardCustomerRequest.fromPartial({
        customerId: "12345", name: "Example Customer",
        dob: DateMessage.fromPartial({ year: 2001, month: 2, day: 30 }),
        residenceAddress: ["123 MG Road", "Bangalore"],
      }));
    const fields = (invalid?.badRequest ?? []).flatMap((b) => b.fieldViolations.map((v) => v.field));
    const infos = (invalid?.errorInfo ?? []).map((i) => `${i.reason}@${i.domain}`);
    check("4 invalid OnboardCustomer",
      invalid?.code === 3 && infos.join() === `FIELD_INVALID@${ERROR_DOMAIN}` &&
        fields.includes("customer_id") && fields.includes("dob"),
      `code ${invalid?.code} ${infos} on ${fields}`);

    const limited = newCustomerId();
    await admin(`${adminUrl}/faults`, "POST", {
      customer_id: limited, times: -1, http_status: 429,
      headers: { "Retry-After": "3" }, body: '{"message":"Too Many Requests"}',
    });
    const rateLimited = await failure<GetCustomerRequest, GetCustomerResponse>(
      client, client.getCustomer, GetCustomerRequest.fromPartial({ customerId: limited }));
    const reasons = (rateLimited?.errorInfo ?? []).map((i) => i.reason);
    const delays = (rateLimited?.retryInfo ?? []).map((r) => r.retryDelay?.seconds);
    check("5 rate-limited GetCustomer",
      rateLimited?.code === 8 && reasons.join() === "UPSTREAM_RATE_LIMITED" && delays.join() === "3",
      `code ${rateLimited?.code} ${reasons}, RetryInfo ${delays}`);
  } finally {
    client.close();
  }
  console.log(`node: ${failed === 0 ? "OK" : `${failed} step(s) FAILED`}`);
  return failed === 0 ? 0 : 1;
}

if (process.argv.length !== 4) {
  console.error("usage: node journey.js ADDR SIM_ADMIN_URL");
  process.exit(2);
}
main(process.argv[2], process.argv[3].replace(/\/$/, "")).then(
  (rc) => process.exit(rc),
  (err) => { console.error(err); process.exit(1); });
