// libFuzzer target: an Eko reply (HTTP status, transport outcome, body) goes
// through the adapter's whole interpretation, InterpretReply<Response>: HTTP
// classification, envelope parsing, business codes, per-RPC steps and the
// response mapper.
//
// Input layout:
//   byte 0   RPC (modulo the number of RPCs)
//   byte 1   HTTP status: < 128 picks one of kHttpStatuses; otherwise
//            100 + 4 * (byte - 128), i.e. 100..608
//   byte 2   bit 0: the caller's deadline passed; bits 1-3: transport outcome
//            (0-3 completed, 4-7 a failure outcome); bit 4: a Retry-After
//            header of (bits 5-7) seconds was sent
//   rest     the HTTP body
//
// Invariants (any violation aborts):
//   - OK only for a completed 2xx transfer whose body ParseEnvelope accepts,
//     whose response_type_id is a step of the RPC (FindStep) and whose status
//     is 0 or equals response_type_id; next_step and `upstream` then match
//     the envelope, and the response survives the wire (valid UTF-8).
//   - Every error carries a parsable ErrorInfo in the gateway's domain whose
//     (reason, code) is a row of the error table, and ToRpcStatus puts it
//     first in `details`, exactly once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/eko_client.h"
#include "adapters/eko/envelope.h"
#include "adapters/eko/error_table.h"
#include "adapters/eko/next_steps.h"
#include "adapters/eko/rpc_traits.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/fuzz_support.h"

namespace eko::adapter {
namespace {

namespace v1 = ::eko::onboarding::v1;

constexpr int kHttpStatuses[] = {200, 200, 200, 200, 200, 200, 200, 200, 201, 202, 204,
                                 299, 0,   100, 301, 302, 304, 400, 401, 403, 404, 405,
                                 408, 409, 413, 422, 429, 499, 500, 502, 503, 504};

constexpr TransportOutcome kFailedOutcomes[] = {
    TransportOutcome::kNotSent,
    TransportOutcome::kTimedOut,
    TransportOutcome::kConnectionLost,
    TransportOutcome::kResponseTooLarge,
    TransportOutcome::kResponseIncomplete,
    TransportOutcome::kCancelled,
    TransportOutcome::kFailed,
};

constexpr char kClientRefId[] = "fuzz0000000000ab";

// EKO_FUZZ_ASCII_BODIES=1 skips bodies with non-ASCII bytes or \u escapes,
// to keep fuzzing the rest while a UTF-8 bug is open (see README.md).
bool ascii_bodies_only = false;

bool HasNonAscii(std::string_view body) {
  for (const char c : body) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return body.find("\\u") != std::string_view::npos;
}

std::string Describe(Rpc rpc, const HttpResponse& http) {
  return absl::StrCat("rpc=", ToAbsl(RpcName(rpc)), " http=", http.http_status,
                      " outcome=", static_cast<int>(http.outcome),
                      " body(hex)=", fuzz::Hex(http.body));
}

// The error must be one the error table describes, carried the documented way.
void CheckError(Rpc rpc, const HttpResponse& http, const absl::Status& status) {
  EKO_FUZZ_CHECK(!status.ok(), Describe(rpc, http));
  google::rpc::ErrorInfo info;
  EKO_FUZZ_CHECK(
      rich::GetErrorInfo(status, &info),
      absl::StrCat("no parsable ErrorInfo in ", status.ToString(), "; ", Describe(rpc, http)));
  EKO_FUZZ_CHECK(info.domain() == rich::kErrorDomain, info.ShortDebugString());
  bool known = false;
  for (const ErrorRow& row : ErrorRows()) {
    if (row.reason == info.reason() &&
        (row.code == status.code() || row.code_if_caller_deadline == status.code())) {
      known = true;
    }
  }
  EKO_FUZZ_CHECK(known, absl::StrCat("(reason ", info.reason(), ", code ",
                                     absl::StatusCodeToString(status.code()),
                                     ") is no row of the error table; ", Describe(rpc, http)));
  const google::rpc::Status rpc_status = rich::ToRpcStatus(status);
  EKO_FUZZ_CHECK(rpc_status.code() == static_cast<int>(status.code()), status.ToString());
  int infos = 0;
  for (const google::protobuf::Any& any : rpc_status.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) ++infos;
  }
  EKO_FUZZ_CHECK(infos == 1 && rpc_status.details(0).Is<google::rpc::ErrorInfo>(),
                 rpc_status.ShortDebugString());
  EKO_FUZZ_CHECK(fuzz::SurvivesWire(rpc_status), Describe(rpc, http));
}

template <typename Response>
void Interpret(Rpc rpc, const HttpResponse& http, bool caller_deadline_passed) {
  const absl::StatusOr<Response> result =
      InterpretReply<Response>(rpc, http, caller_deadline_passed, kClientRefId);
  if (!result.ok()) {
    CheckError(rpc, http, result.status());
    return;
  }
  EKO_FUZZ_CHECK(http.outcome == TransportOutcome::kCompleted, Describe(rpc, http));
  EKO_FUZZ_CHECK(http.http_status >= 200 && http.http_status < 300, Describe(rpc, http));
  const absl::StatusOr<Envelope> envelope = ParseEnvelope(http.body);
  EKO_FUZZ_CHECK(envelope.ok(), Describe(rpc, http));
  const std::optional<v1::NextStep> step = FindStep(rpc, envelope->response_type_id);
  EKO_FUZZ_CHECK(step.has_value(), Describe(rpc, http));
  EKO_FUZZ_CHECK(envelope->status == 0 || envelope->status == envelope->response_type_id,
                 Describe(rpc, http));
  EKO_FUZZ_CHECK(result->next_step() == *step && *step != v1::NEXT_STEP_UNSPECIFIED,
                 Describe(rpc, http));
  const v1::UpstreamResult& upstream = result->upstream();
  EKO_FUZZ_CHECK(upstream.status() == envelope->status &&
                     upstream.response_type_id() == envelope->response_type_id &&
                     upstream.response_status_id() == envelope->response_status_id.value_or(0) &&
                     upstream.message() == envelope->message &&
                     upstream.http_status() == http.http_status &&
                     upstream.client_ref_id() == kClientRefId,
                 absl::StrCat(upstream.ShortDebugString(), "; ", Describe(rpc, http)));
  EKO_FUZZ_CHECK(
      fuzz::SurvivesWire(*result),
      absl::StrCat("response does not survive the wire (invalid UTF-8?); ", Describe(rpc, http)));
}

void Run(const uint8_t* data, size_t size) {
  fuzz::ByteReader in(data, size);
  const Rpc rpc = static_cast<Rpc>(in.Byte() % kRpcCount);
  const uint8_t http_byte = in.Byte();
  const uint8_t flags = in.Byte();

  HttpResponse http;
  http.http_status = http_byte < 128 ? kHttpStatuses[http_byte % std::size(kHttpStatuses)]
                                     : 100 + 4 * (http_byte - 128);
  const bool caller_deadline_passed = (flags & 1) != 0;
  const int outcome = (flags >> 1) & 7;
  if (outcome < 4) {
    http.outcome = TransportOutcome::kCompleted;
  } else {
    http.outcome = kFailedOutcomes[(outcome - 4 + (flags >> 5)) % std::size(kFailedOutcomes)];
    http.error_detail = "fuzzed transport failure";
  }
  if ((flags & 0x10) != 0) http.retry_after = absl::Seconds(flags >> 5);
  http.body = std::string(in.Rest());
  if (ascii_bodies_only && HasNonAscii(http.body)) return;

  VisitRpc(rpc, [&](auto type) {
    Interpret<typename decltype(type)::ResponseType>(rpc, http, caller_deadline_passed);
  });
}

}  // namespace
}  // namespace eko::adapter

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Protobuf logs every invalid-UTF-8 string it serializes or parses; the
  // invariants check the outcome, so the log lines are only noise.
  google::protobuf::SetLogHandler(nullptr);
  const char* ascii = std::getenv("EKO_FUZZ_ASCII_BODIES");
  eko::adapter::ascii_bodies_only = ascii != nullptr && std::string_view(ascii) == "1";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  eko::adapter::Run(data, size);
  return 0;
}
