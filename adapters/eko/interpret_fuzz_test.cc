// Fuzz-style test: random and mutated Eko envelopes go through the whole
// interpretation (envelope parser, classifier, response mapper) for every
// RPC. Nothing may crash, and a reply may be OK only when it is a known step
// of that RPC with a success status.
#include <random>
#include <string>
#include <vector>

#include "adapters/eko/eko_client.h"
#include "adapters/eko/next_steps.h"
#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

namespace v1 = ::eko::onboarding::v1;

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> kSeeds = {
      R"({"response_status_id":1,"status":2129,"response_type_id":2129,"message":"Validate the OTP","data":{"intent_id":19,"kyc_request_id":"","otp_ref_id":"IXrygqm0vTNbtSTkQw=="}})",
      R"({"response_status_id":1,"status":308,"response_type_id":308,"message":"Failure!Customer Not Enrolled","data":{"sender_name":"","ekyc_enabled":""}})",
      R"({"response_status_id":-1,"status":0,"response_type_id":309,"message":"Success!","data":{"customer_profile":{"name":"A","mobile":"9876543210","total_monthly_limit":"25000.0","next_allowed_limit":"25000.0","balance":"0.00","kyc_state":0,"chart":[{"data_type_id":10,"data":{"used":"0","remaining":"25000","unavailable":"0"}}]},"sender_name":"A","next_allowed_limit":25000,"kyc_state":0,"is_registered":1}})",
      R"({"response_status_id":1,"status":2136,"response_type_id":2136,"message":"Aadhar Validation Pending"})",
      R"({"response_status_id":0,"status":0,"response_type_id":2147,"message":"Pan Number Required","data":{"application_id":""}})",
      R"({"status":0,"response_status_id":0,"response_type_id":2129,"message":"Validate the OTP","data":{"user_code":"20810200","intent_id":"","kyc_request_id":"2400001","otp_ref_id":"417724144285"}})",
      R"({"status":0,"response_status_id":0,"response_type_id":2132,"message":"Customer Registration Completed","data":{"user_code":"20810200"}})",
      R"({"status":2131,"response_status_id":302,"response_type_id":2131,"message":"Wrong OTP"})",
      R"({"status":463,"response_status_id":1,"response_type_id":-1,"message":"User not found","invalid_params":{"customer_id":"Customer does not exist in System"}})",
      R"({"status":2135,"response_status_id":1,"response_type_id":2135,"message":"Customer KYC Pending","data":{"description":"K-100"}})",
  };
  return kSeeds;
}

constexpr int32_t kInterestingCodes[] = {
    -2,  -1,  0,   1,    2,    17,   132,  300,  302,  303,  308,  309,  314,  319,   327,   346,
    463, 585, 945, 1297, 2129, 2131, 2132, 2134, 2135, 2136, 2138, 2147, 9999, 65536, -65536};

std::string Mutate(std::string text, std::mt19937& rng) {
  std::uniform_int_distribution<int> kind(0, 6);
  const auto pick = [&rng](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n == 0 ? 0 : n - 1)(rng);
  };
  const int rounds = 1 + static_cast<int>(pick(4));
  for (int r = 0; r < rounds; ++r) {
    switch (kind(rng)) {
      case 0:  // flip a byte
        if (!text.empty()) text[pick(text.size())] = static_cast<char>(rng());
        break;
      case 1:  // truncate
        text.resize(pick(text.size() + 1));
        break;
      case 2: {  // replace a number with an interesting code
        const size_t at = text.find_first_of("-0123456789", pick(text.size()));
        if (at == std::string::npos) break;
        size_t end = at + 1;
        while (end < text.size() && isdigit(static_cast<unsigned char>(text[end]))) ++end;
        const int32_t code = kInterestingCodes[pick(std::size(kInterestingCodes))];
        text.replace(at, end - at, std::to_string(code));
        break;
      }
      case 3: {  // swap a value's type
        static const char* kValues[] = {"{}",   "[]",  "null", "true",     "\"x\"",
                                        "\"\"", "1e9", "-0",   "\"2129\"", "[[[[[[1]]]]]]"};
        const size_t colon = text.find(':', pick(text.size()));
        if (colon == std::string::npos) break;
        size_t end = colon + 1;
        int depth = 0;
        bool in_string = false;
        for (; end < text.size(); ++end) {
          const char c = text[end];
          if (in_string) {
            if (c == '\\')
              ++end;
            else if (c == '"')
              in_string = false;
            continue;
          }
          if (c == '"')
            in_string = true;
          else if (c == '{' || c == '[')
            ++depth;
          else if ((c == '}' || c == ']') && depth-- == 0)
            break;
          else if (c == ',' && depth == 0)
            break;
        }
        text.replace(colon + 1, end - colon - 1, kValues[pick(std::size(kValues))]);
        break;
      }
      case 4:  // duplicate a slice
        if (!text.empty()) {
          const size_t from = pick(text.size());
          text.insert(pick(text.size()), text.substr(from, pick(64)));
        }
        break;
      case 5:  // insert random bytes
        for (size_t i = 0, n = pick(16); i < n; ++i) {
          text.insert(text.begin() + static_cast<long>(pick(text.size() + 1)),
                      static_cast<char>(rng()));
        }
        break;
      default:  // deep nesting
        text.insert(pick(text.size() + 1), std::string(pick(200), '['));
        break;
    }
  }
  return text;
}

// The status of interpreting `body` for `rpc`, and whether it was OK.
bool InterpretOk(Rpc rpc, const HttpResponse& http) {
  return VisitRpc(rpc, [&](auto type) {
    return InterpretReply<typename decltype(type)::ResponseType>(rpc, http, false, "r").ok();
  });
}

// What may be OK: a parsable envelope whose response type is a step of `rpc`,
// with status 0 or equal to the response type.
bool MayBeOk(Rpc rpc, const std::string& body) {
  auto env = ParseEnvelope(body);
  if (!env.ok()) return false;
  if (!FindStep(rpc, env->response_type_id).has_value()) return false;
  return env->status == 0 || env->status == env->response_type_id;
}

TEST(InterpretFuzzTest, MutatedEnvelopesNeverCrashNorPassAsSuccess) {
  std::mt19937 rng(20261122);
  int ok = 0;
  int errors = 0;
  for (int i = 0; i < 30000; ++i) {
    const std::string& seed = Seeds()[i % Seeds().size()];
    HttpResponse http;
    http.outcome = TransportOutcome::kCompleted;
    http.http_status = 200;
    http.body = i % 10 == 0 ? seed : Mutate(seed, rng);
    const Rpc rpc = static_cast<Rpc>(i % kRpcCount);
    const bool result = InterpretOk(rpc, http);
    if (result) {
      ++ok;
      EXPECT_TRUE(MayBeOk(rpc, http.body)) << RpcName(rpc) << " accepted: " << http.body;
    } else {
      ++errors;
    }
  }
  // Both outcomes must actually occur, or the test proves nothing.
  EXPECT_GT(ok, 100);
  EXPECT_GT(errors, 1000);
}

TEST(InterpretFuzzTest, RandomBytesAndHttpStatusesNeverPass) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    HttpResponse http;
    http.outcome = TransportOutcome::kCompleted;
    http.http_status = std::uniform_int_distribution<int>(100, 599)(rng);
    std::string body(std::uniform_int_distribution<size_t>(0, 256)(rng), '\0');
    for (char& c : body) c = static_cast<char>(rng());
    http.body = body;
    const Rpc rpc = static_cast<Rpc>(i % kRpcCount);
    EXPECT_FALSE(InterpretOk(rpc, http));
  }
}

}  // namespace
}  // namespace eko::adapter
