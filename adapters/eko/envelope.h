#ifndef EKO_ADAPTERS_EKO_ENVELOPE_H_
#define EKO_ADAPTERS_EKO_ENVELOPE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "rapidjson/document.h"

namespace eko::adapter {

// Eko's common response envelope, read through checked accessors.
struct Envelope {
  int32_t status = 0;
  std::optional<int32_t> response_status_id;
  int32_t response_type_id = 0;
  std::string message;
  // `invalid_params` entries (Eko parameter name, Eko's complaint), in order.
  std::vector<std::pair<std::string, std::string>> invalid_params;
  // `data.description`, which Eko uses for failure detail (e.g. eKYC).
  std::string description;
  // Optional members present with an unusable type (see json::OptionalString):
  // "response_status_id", "message", "data", "data.description",
  // "invalid_params". Left out of the fields above.
  std::vector<std::string> ignored;
  // The parsed document; `data` is looked up from it on demand.
  rapidjson::Document document;

  // The `data` object, or nullptr when absent or null.
  const rapidjson::Value* data() const;
};

// Parses the envelope. `status` and `response_type_id` are required integers
// (numbers or numeric strings): without them nothing can be classified, so a
// violation is an INTERNAL error describing it. `response_status_id`,
// `message`, `data` (an object), `data.description` and `invalid_params` (an
// object) are optional and read leniently: one of an unusable type is left
// out and named in `ignored`.
absl::StatusOr<Envelope> ParseEnvelope(std::string_view body);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ENVELOPE_H_
