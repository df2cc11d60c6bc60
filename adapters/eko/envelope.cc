#include "adapters/eko/envelope.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/status_macros.h"
#include "adapters/common/strings.h"
#include "adapters/eko/json_reader.h"

namespace eko::adapter {
namespace {

absl::StatusOr<std::optional<int32_t>> Int32(const rapidjson::Value& object, const char* key) {
  EKO_ASSIGN_OR_RETURN(std::optional<int64_t> value, json::Int(object, key));
  if (!value) return std::optional<int32_t>();
  if (*value < std::numeric_limits<int32_t>::min() ||
      *value > std::numeric_limits<int32_t>::max()) {
    return absl::InternalError(absl::StrCat("field '", key, "' is out of range"));
  }
  return std::optional<int32_t>(static_cast<int32_t>(*value));
}

absl::StatusOr<int32_t> RequiredInt32(const rapidjson::Value& object, const char* key) {
  EKO_ASSIGN_OR_RETURN(std::optional<int32_t> value, Int32(object, key));
  if (!value) return absl::InternalError(absl::StrCat("envelope lacks '", key, "'"));
  return *value;
}

}  // namespace

const rapidjson::Value* Envelope::data() const {
  auto it = document.FindMember("data");
  if (it == document.MemberEnd() || !it->value.IsObject()) return nullptr;
  return &it->value;
}

absl::StatusOr<Envelope> ParseEnvelope(std::string_view body) {
  Envelope env;
  EKO_RETURN_IF_ERROR(json::ParseObject(body, &env.document));
  const rapidjson::Value& root = env.document;
  EKO_ASSIGN_OR_RETURN(env.status, RequiredInt32(root, "status"));
  EKO_ASSIGN_OR_RETURN(env.response_type_id, RequiredInt32(root, "response_type_id"));
  EKO_ASSIGN_OR_RETURN(env.response_status_id, Int32(root, "response_status_id"));
  EKO_ASSIGN_OR_RETURN(std::optional<std::string> message, json::String(root, "message"));
  env.message = message.value_or("");

  EKO_ASSIGN_OR_RETURN(const rapidjson::Value* data, json::Object(root, "data"));
  if (data != nullptr) {
    EKO_ASSIGN_OR_RETURN(std::optional<std::string> description,
                         json::String(*data, "description"));
    env.description = description.value_or("");
  }

  EKO_ASSIGN_OR_RETURN(const rapidjson::Value* invalid, json::Object(root, "invalid_params"));
  if (invalid != nullptr) {
    for (auto it = invalid->MemberBegin(); it != invalid->MemberEnd(); ++it) {
      std::string why;
      if (it->value.IsString()) why.assign(it->value.GetString(), it->value.GetStringLength());
      env.invalid_params.emplace_back(std::string(it->name.GetString(), it->name.GetStringLength()),
                                      std::move(why));
    }
  }
  return env;
}

}  // namespace eko::adapter
