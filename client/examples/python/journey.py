#!/usr/bin/python3
"""A customer journey and two decoded errors through the eko-onboarding-v1 wheel.

Usage: /usr/bin/python3 journey.py ADDR SIM_ADMIN_URL

  ADDR           gateway address (plaintext), e.g. 127.0.0.1:50051
  SIM_ADMIN_URL  what `eko-gateway --dev` prints as "eko-gateway simulator on URL"
                 (the OTP of the journey and the injected 429 come from it)

Steps, each printed with PASS or FAIL:
  1 GetCustomer of a new 9xxxxxxxxx number   -> NEXT_STEP_ONBOARD_CUSTOMER
  2 OnboardCustomer                          -> NEXT_STEP_VERIFY_CUSTOMER_OTP + otp_ref_id
  3 VerifyCustomerOtp with the simulator's OTP -> OK
  4 OnboardCustomer customer_id="12345" dob=2001-02-30
      -> INVALID_ARGUMENT, ErrorInfo FIELD_INVALID, BadRequest on customer_id and dob
  5 GetCustomer while the simulator answers 429 with Retry-After: 3
      -> RESOURCE_EXHAUSTED, ErrorInfo UPSTREAM_RATE_LIMITED, RetryInfo 3s
Exit status 0 when every step passed, 1 otherwise.

The channel carries the service config shipped in the package
(eko/onboarding/v1/grpc-service-config.json: per-method timeouts, waitForReady,
retries of UNAVAILABLE), and every call sets its own deadline too.
Needs: the wheel (pip install eko-onboarding-v1), grpcio, protobuf and
googleapis-common-protos (google.rpc, google.type).
"""

import importlib.resources
import json
import random
import sys
import urllib.request

import grpc
from google.rpc import error_details_pb2, status_pb2
from google.type import date_pb2
from eko.onboarding.v1 import onboarding_service_pb2 as pb
from eko.onboarding.v1 import onboarding_service_pb2_grpc as pb_grpc

DOMAIN = "eko-onboarding-gateway"
DEADLINE_S = 10.0
# Local simulator only: never through an http_proxy from the environment.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def service_config():
    return importlib.resources.files("eko.onboarding.v1").joinpath("grpc-service-config.json").read_text()


def admin(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    with LOCAL.open(request, timeout=5) as reply:
        return json.load(reply)


def decode(err):
    """(code name, [ErrorInfo], [BadRequest], [RetryInfo]) of a failed call."""
    infos, bad_requests, retries = [], [], []
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    if raw is not None:
        for detail in status_pb2.Status.FromString(raw).details:
            for cls, found in ((error_details_pb2.ErrorInfo, infos),
                               (error_details_pb2.BadRequest, bad_requests),
                               (error_details_pb2.RetryInfo, retries)):
                if detail.Is(cls.DESCRIPTOR):
                    msg = cls()
                    detail.Unpack(msg)
                    found.append(msg)
    for info in infos:
        print("  ErrorInfo reason=%s domain=%s metadata=%s" % (info.reason, info.domain, dict(info.metadata)))
    for bad in bad_requests:
        for v in bad.field_violations:
            print("  BadRequest %s: %s" % (v.field, v.description))
    for retry in retries:
        print("  RetryInfo retry_delay=%ds" % retry.retry_delay.seconds)
    return err.code().name, infos, bad_requests, retries


class Steps:
    def __init__(self):
        self.failed = 0

    def check(self, name, ok, what):
        print("%s %s: %s" % ("PASS" if ok else "FAIL", name, what))
        self.failed += 0 if ok else 1


def new_customer_id():
    return "9" + "".join(random.choice("0123456789") for _ in range(9))


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    addr, admin_url = argv[1], argv[2].rstrip("/")
    steps = Steps()
    options = [("grpc.enable_http_proxy", 0), ("grpc.service_config", service_config())]
    with grpc.insecure_channel(addr, options=options) as channel:
        stub = pb_grpc.OnboardingServiceStub(channel)
        customer_id = new_customer_id()

        reply = stub.GetCustomer(pb.GetCustomerRequest(customer_id=customer_id), timeout=DEADLINE_S)
        steps.check("1 GetCustomer", reply.next_step == pb.NEXT_STEP_ONBOARD_CUSTOMER,
                    "%s -> %s" % (customer_id, pb.NextStep.Name(reply.next_step)))

        reply = stub.OnboardCustomer(pb.OnboardCustomerRequest(
            customer_id=customer_id, name="Example Customer",
            dob=date_pb2.Date(year=1990, month=5, day=17),
            residence_address=["123 MG Road", "Bangalore", "Karnataka", "560001"]), timeout=DEADLINE_S)
        otp_ref_id = reply.otp_ref_id
        steps.check("2 OnboardCustomer", reply.next_step == pb.NEXT_STEP_VERIFY_CUSTOMER_OTP and otp_ref_id,
                    "%s, otp_ref_id %s" % (pb.NextStep.Name(reply.next_step), otp_ref_id))

        otp = admin("%s/otp?customer_id=%s" % (admin_url, customer_id)).get("otp", "")
        reply = stub.VerifyCustomerOtp(pb.VerifyCustomerOtpRequest(
            customer_id=customer_id, otp=otp, otp_ref_id=otp_ref_id), timeout=DEADLINE_S)
        steps.check("3 VerifyCustomerOtp", reply.next_step != pb.NEXT_STEP_UNSPECIFIED,
                    "otp %s -> %s" % (otp, pb.NextStep.Name(reply.next_step)))

        try:
            stub.OnboardCustomer(pb.OnboardCustomerRequest(
                customer_id="12345", name="Example Customer",
                dob=date_pb2.Date(year=2001, month=2, day=30),
                residence_address=["123 MG Road", "Bangalore"]), timeout=DEADLINE_S)
            steps.check("4 invalid OnboardCustomer", False, "succeeded")
        except grpc.RpcError as err:
            code, infos, bad, _ = decode(err)
            fields = {v.field for b in bad for v in b.field_violations}
            steps.check("4 invalid OnboardCustomer",
                        code == "INVALID_ARGUMENT" and [(i.reason, i.domain) for i in infos] ==
                        [("FIELD_INVALID", DOMAIN)] and {"customer_id", "dob"} <= fields,
                        "%s %s on %s" % (code, [i.reason for i in infos], sorted(fields)))

        limited = new_customer_id()
        admin(admin_url + "/faults", "POST", {
            "customer_id": limited, "times": -1, "http_status": 429,
            "headers": {"Retry-After": "3"}, "body": '{"message":"Too Many Requests"}'})
        try:
            stub.GetCustomer(pb.GetCustomerRequest(customer_id=limited), timeout=DEADLINE_S)
            steps.check("5 rate-limited GetCustomer", False, "succeeded")
        except grpc.RpcError as err:
            code, infos, _, retries = decode(err)
            delays = [r.retry_delay.seconds for r in retries]
            steps.check("5 rate-limited GetCustomer",
                        code == "RESOURCE_EXHAUSTED" and [i.reason for i in infos] == ["UPSTREAM_RATE_LIMITED"]
                        and delays == [3],
                        "%s %s, RetryInfo %s" % (code, [i.reason for i in infos], delays))
    print("python: %s" % ("OK" if steps.failed == 0 else "%d step(s) FAILED" % steps.failed))
    return 0 if steps.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
