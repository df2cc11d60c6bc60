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
  // The parsed document; `data` is looked up from it on demand.
  rapidjson::Document document;

  // The `data` object, or nullptr when absent or null.
  const rapidjson::Value* data() const;
};

// Parses and checks the envelope. `status` and `response_type_id` are
// required integers (numbers or numeric strings); `response_status_id`,
// `message`, `data`, `invalid_params` are optional but type-checked.
// Any violation is an INTERNAL error describing it.
absl::StatusOr<Envelope> ParseEnvelope(std::string_view body);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ENVELOPE_H_
