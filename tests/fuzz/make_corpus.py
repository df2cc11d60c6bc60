#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Envelopes are the Eko replies used by the adapter's unit tests
(adapters/eko/*_test.cc); requests are serialized with protoc --encode from
text format. Re-run after changing the seeds: /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GOOGLEAPIS = "/usr/share/gocode/src/github.com/gogo/googleapis"

RPCS = ["GetCustomer", "OnboardCustomer", "VerifyCustomerOtp", "GetSender", "OnboardSender",
        "StartSenderEkyc", "ValidateEkycOtp"]

# fuzz_envelope: (name, rpc, http byte, flags byte, body). HTTP byte 0 = 200;
# 17 = 400, 26 = 429, 28 = 500 (see kHttpStatuses). Flags 0 = completed.
ENVELOPES = [
    ("get_customer_otp_sent", "GetCustomer", 0, 0,
     '{"response_status_id":1,"status":2129,"response_type_id":2129,"message":"Validate the OTP",'
     '"data":{"intent_id":19,"kyc_request_id":"","otp_ref_id":"IXrygqm0vTNbtSTkQw=="}}'),
    ("get_customer_not_enrolled", "GetCustomer", 0, 0,
     '{"response_status_id":1,"status":308,"response_type_id":308,'
     '"message":"Failure!Customer Not Enrolled","data":{"sender_name":"","ekyc_enabled":""}}'),
    ("onboard_customer_otp", "OnboardCustomer", 0, 0,
     '{"status":2129,"response_type_id":2129,"data":{"otp_ref_id":"abc=="}}'),
    ("verify_otp_profile", "VerifyCustomerOtp", 0, 0,
     '{"response_status_id":-1,"status":0,"response_type_id":309,"message":"Success!",'
     '"data":{"customer_profile":{"name":"Asha Rao","mobile":"9876543210",'
     '"total_monthly_limit":"25000.0","next_allowed_limit":"24000.50","balance":"0.00",'
     '"kyc_state":0,"chart":[{"data_type_id":"9","data":{"used":"1"}},{"data_type_id":10,'
     '"data":{"used":"0","remaining":"25000","unavailable":"0"}}]},"sender_name":"A",'
     '"next_allowed_limit":25000,"kyc_state":0,"is_registered":1}}'),
    ("verify_otp_aadhaar_pending", "VerifyCustomerOtp", 0, 0,
     '{"response_status_id":1,"status":2136,"response_type_id":2136,'
     '"message":"Aadhar Validation Pending"}'),
    ("verify_otp_pan_required", "VerifyCustomerOtp", 0, 0,
     '{"response_status_id":0,"status":0,"response_type_id":2147,"message":"Pan Number Required",'
     '"data":{"application_id":"A-1"}}'),
    ("verify_otp_wrong", "VerifyCustomerOtp", 0, 0,
     '{"status":2131,"response_status_id":302,"response_type_id":2131,"message":"Wrong OTP"}'),
    ("get_sender_numbers_as_strings", "GetSender", 0, 0,
     '{"status":"0","response_type_id":"309","response_status_id":"-1",'
     '"data":{"customer_profile":{"name":"Ravi","mobile":"9000000001","kyc_state":"1",'
     '"total_monthly_limit":25000}}}'),
    ("get_sender_not_found", "GetSender", 0, 0,
     '{"status":463,"response_status_id":1,"response_type_id":-1,"message":"User not found",'
     '"invalid_params":{"customer_id":"Customer does not exist in System"}}'),
    ("start_ekyc_otp", "StartSenderEkyc", 0, 0,
     '{"status":0,"response_status_id":0,"response_type_id":2129,"message":"Validate the OTP",'
     '"data":{"user_code":"20810200","intent_id":"","kyc_request_id":"2400001",'
     '"otp_ref_id":"417724144285"}}'),
    ("start_ekyc_failed", "StartSenderEkyc", 0, 0,
     '{"status":2135,"response_status_id":1,"response_type_id":2135,'
     '"message":"Customer KYC Pending","data":{"description":"K-100"}}'),
    ("validate_ekyc_done", "ValidateEkycOtp", 0, 0,
     '{"status":0,"response_status_id":0,"response_type_id":2132,'
     '"message":"Customer Registration Completed","data":{"user_code":"20810200"}}'),
    ("onboard_sender_agent_not_allowed", "OnboardSender", 0, 0,
     '{"status":1,"response_type_id":0,"message":"Agent not allowed"}'),
    ("get_customer_http_429_retry_after", "GetCustomer", 26, 0x10 | (3 << 5),
     '{"message":"Too Many Requests"}'),
    ("onboard_customer_http_500", "OnboardCustomer", 28, 0, "<html>Internal Server Error</html>"),
    ("get_customer_timeout_caller_deadline", "GetCustomer", 0, 0x01 | (5 << 1), ""),
    # Regressions: Eko text that is not valid UTF-8 must not make the response
    # or the ErrorInfo unparsable for gRPC peers (bytes bodies are sent as is).
    ("utf8_error_message_invalid", "GetCustomer", 0, 0,
     b'{"status":463,"response_type_id":-1,"message":"\xff"}'),
    ("utf8_error_message_cut_by_truncation", "GetCustomer", 0, 0,
     '{"status":463,"response_type_id":-1,"message":"' + "a" * 199 + '\u00e9"}'),
    ("utf8_ok_message_invalid", "GetCustomer", 0, 0,
     b'{"status":2129,"response_type_id":2129,"message":"\xff","data":{"otp_ref_id":"x"}}'),
    ("utf8_ok_otp_ref_id_invalid", "GetCustomer", 0, 0,
     b'{"status":2129,"response_type_id":2129,"message":"ok","data":{"otp_ref_id":"\xff"}}'),
]

# fuzz_validation, text fields (flags bit 1): values in proto field order,
# separated by 0xFF; a list is a repeated field (lines separated by 0xFE). Flags bit 0: the gateway
# has a default user code; bit 2: the endpoint's method is flipped.
TEXT_REQUESTS = [
    ("text_get_customer", "GetCustomer", 0b011, ["9876543210", ""]),
    ("text_get_customer_bad_id", "GetCustomer", 0b010, ["98765/../43210?x#y", "abc"]),
    ("text_onboard_customer", "OnboardCustomer", 0b011,
     ["9876543210", "Asha Rao", "1990-05-15", ["12 MG Road", "Bengaluru"], "20810200", "ref-1"]),
    ("text_onboard_customer_as_get", "OnboardCustomer", 0b111,
     ["9876543210", "Asha Rao", "2000-02-29", "Pune", "", ""]),
    ("text_verify_otp", "VerifyCustomerOtp", 0b011,
     ["9876543210", "123456", "IXrygqm0vTNbtSTkQw==", "", "r_1"]),
    ("text_get_sender", "GetSender", 0b001, ["6222222222", "20810200"]),
    ("text_onboard_sender", "OnboardSender", 0b011,
     ["9876542135", "R\u00e4vi \u0915\u0941\u092e\u093e\u0930", "1985-12-31", "Flat 3\"\\B",
      "", ""]),
    ("text_start_ekyc", "StartSenderEkyc", 0b011,
     ["9876543210", "123412341234", "<PidData><Data type=\"X\">abc</Data></PidData>", "", ""]),
    ("text_validate_ekyc", "ValidateEkycOtp", 0b011,
     ["9876543210", "4321", "417724144285", "2400001", "", ""]),
]

# fuzz_validation, serialized requests (protoc text format).
PROTO_REQUESTS = [
    ("proto_get_customer", "GetCustomer", 0b001, 'customer_id: "6111111111"'),
    ("proto_onboard_customer", "OnboardCustomer", 0b000,
     'customer_id: "9876543210" name: "Asha Rao" dob { year: 1990 month: 5 day: 15 } '
     'residence_address: "12 MG Road" residence_address: "Bengaluru" user_code: "20810200" '
     'client_ref_id: "abc-123"'),
    ("proto_onboard_sender_bad_dob", "OnboardSender", 0b001,
     'customer_id: "9876543210" name: "A" dob { year: 2023 month: 2 day: 29 } '
     'residence_address: " "'),
    ("proto_verify_otp", "VerifyCustomerOtp", 0b001,
     'customer_id: "9876543210" otp: "0012" otp_ref_id: "IXrygqm0vTNbtSTkQw=="'),
    ("proto_start_ekyc_as_post", "StartSenderEkyc", 0b101,
     'customer_id: "9876543210" aadhaar: "123412341234" pid_data: "<PidData/>"'),
    ("proto_validate_ekyc", "ValidateEkycOtp", 0b001,
     'customer_id: "9876543210" otp: "123456" otp_ref_id: "771" kyc_request_id: "88" '
     'user_code: "1234567890123456"'),
    ("proto_get_sender_as_post", "GetSender", 0b101, 'customer_id: "6222222222"'),
]


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def encode(message, text):
    return subprocess.run(
        ["protoc", "-I" + os.path.join(ROOT, "proto"), "-I" + GOOGLEAPIS,
         "--encode=eko.onboarding.v1." + message, "eko/onboarding/v1/onboarding_service.proto"],
        input=text.encode(), stdout=subprocess.PIPE, check=True).stdout


def main():
    for name, rpc, http, flags, body in ENVELOPES:
        data = body if isinstance(body, bytes) else body.encode()
        write("fuzz_envelope", name, bytes([RPCS.index(rpc), http, flags]) + data)
    for name, rpc, flags, fields in TEXT_REQUESTS:
        data = b"\xff".join(b"\xfe".join(line.encode() for line in f) if isinstance(f, list)
                            else f.encode() for f in fields)
        write("fuzz_validation", name, bytes([RPCS.index(rpc), flags]) + data)
    for name, rpc, flags, text in PROTO_REQUESTS:
        write("fuzz_validation", name, bytes([RPCS.index(rpc), flags]) + encode(rpc + "Request", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
