#ifndef EKO_ADAPTERS_REDIS_RECORD_H_
#define EKO_ADAPTERS_REDIS_RECORD_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "adapters/duplicate_store.h"

// The pure parts of RedisDuplicateStore (redis_duplicate_store.h): where
// Redis is, and what one key holds.
namespace eko::adapter {

struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
};

// Parses `redis://HOST[:PORT][/DB]` (HOST a name, an IPv4 address or a
// bracketed IPv6 one; PORT 1-65535, default 6379; DB 0-15, default 0).
// Anything else (user info, a query, another scheme) is INVALID_ARGUMENT.
absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url);

// The value of one key: the first request's fingerprint, and its outcome
// once it is definitive (finished) — in flight until then.
struct StoredCall {
  std::string fingerprint;
  bool finished = false;
  DuplicateStore::Outcome outcome;  // when finished
};

// A binary encoding that keeps every byte of the status (code, message,
// payloads such as ErrorInfo), the response and the client_ref_id.
std::string EncodeStoredCall(const StoredCall& call);
// nullopt when `value` is not an encoding of EncodeStoredCall.
std::optional<StoredCall> DecodeStoredCall(absl::string_view value);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_REDIS_RECORD_H_
