#include "adapters/redis_record.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace eko::adapter {
namespace {

constexpr char kVersion = '1';
constexpr char kInFlight = 'F';
constexpr char kFinished = 'D';

void PutLength(std::string* out, size_t n) {
  for (int shift = 0; shift < 32; shift += 8)
    out->push_back(static_cast<char>((n >> shift) & 0xff));
}

void PutField(std::string* out, absl::string_view field) {
  PutLength(out, field.size());
  out->append(field.data(), field.size());
}

// Reads what PutLength / PutField wrote, front to back.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  bool Length(size_t* n) {
    if (in_.size() < 4) return false;
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= uint32_t{static_cast<unsigned char>(in_[i])} << (8 * i);
    in_.remove_prefix(4);
    *n = value;
    return true;
  }
  bool Field(std::string* out) {
    size_t n = 0;
    if (!Length(&n) || in_.size() < n) return false;
    out->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Char(char* c) {
    if (in_.empty()) return false;
    *c = in_.front();
    in_.remove_prefix(1);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

absl::Status BadUrl(absl::string_view url, absl::string_view why) {
  // A URL with user info may hold a password: it is not repeated.
  const bool may_hold_secret = url.find('@') != absl::string_view::npos;
  return absl::InvalidArgumentError(
      absl::StrCat("--idempotency-store must be 'memory' or redis://HOST[:PORT][/DB]: ", why,
                   may_hold_secret ? "" : absl::StrCat(" in '", url, "'")));
}

}  // namespace

absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) return BadUrl(url, "the scheme is not redis://");
  if (rest.find_first_of("@?#") != absl::string_view::npos) {
    return BadUrl(url, "user info, a query or a fragment is not supported");
  }
  RedisAddress address;
  absl::string_view authority = rest.substr(0, rest.find('/'));
  if (const size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    const absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!absl::SimpleAtoi(db, &address.db) || address.db < 0 || address.db > 15)) {
      return BadUrl(url, "the database is not a number from 0 to 15");
    }
  }
  absl::string_view port;
  if (absl::ConsumePrefix(&authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return BadUrl(url, "an IPv6 address lacks its ']'");
    address.host = std::string(authority.substr(0, close));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) return BadUrl(url, "junk after ']'");
    port = after;
  } else {
    const size_t colon = authority.find(':');
    address.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) port = authority.substr(colon + 1);
  }
  if (address.host.empty()) return BadUrl(url, "the host is missing");
  if (!port.empty() &&
      (!absl::SimpleAtoi(port, &address.port) || address.port < 1 || address.port > 65535)) {
    return BadUrl(url, "the port is not a number from 1 to 65535");
  }
  return address;
}

std::string EncodeStoredCall(const StoredCall& call) {
  std::string out;
  out.push_back(kVersion);
  out.push_back(call.finished ? kFinished : kInFlight);
  PutField(&out, call.fingerprint);
  if (!call.finished) return out;
  const DuplicateStore::Outcome& outcome = call.outcome;
  PutLength(&out, static_cast<size_t>(outcome.status.code()));
  PutField(&out, outcome.status.message());
  PutField(&out, outcome.response);
  PutField(&out, outcome.client_ref_id);
  std::vector<std::pair<std::string, std::string>> payloads;
  outcome.status.ForEachPayload([&payloads](absl::string_view type_url, const absl::Cord& payload) {
    payloads.emplace_back(std::string(type_url), std::string(payload));
  });
  PutLength(&out, payloads.size());
  for (const auto& [type_url, payload] : payloads) {
    PutField(&out, type_url);
    PutField(&out, payload);
  }
  return out;
}

std::optional<StoredCall> DecodeStoredCall(absl::string_view value) {
  Reader in(value);
  StoredCall call;
  char version = 0;
  char state = 0;
  if (!in.Char(&version) || version != kVersion || !in.Char(&state) ||
      (state != kInFlight && state != kFinished) || !in.Field(&call.fingerprint)) {
    return std::nullopt;
  }
  call.finished = state == kFinished;
  if (!call.finished) return in.done() ? std::optional<StoredCall>(call) : std::nullopt;
  size_t code = 0;
  std::string message;
  size_t payload_count = 0;
  if (!in.Length(&code) || code > 16 || !in.Field(&message) || !in.Field(&call.outcome.response) ||
      !in.Field(&call.outcome.client_ref_id) || !in.Length(&payload_count)) {
    return std::nullopt;
  }
  call.outcome.status = absl::Status(static_cast<absl::StatusCode>(code), message);
  for (size_t i = 0; i < payload_count; ++i) {
    std::string type_url;
    std::string payload;
    if (!in.Field(&type_url) || !in.Field(&payload)) return std::nullopt;
    if (!call.outcome.status.ok()) call.outcome.status.SetPayload(type_url, absl::Cord(payload));
  }
  if (!in.done()) return std::nullopt;
  return call;
}

}  // namespace eko::adapter
