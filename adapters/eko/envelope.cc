#include "adapters/eko/envelope.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/status_macros.h"
#include "adapters/common/strings.h"
#include "adapters/eko/json_reader.h"

namespace eko::adapter {
namespace {

absl::StatusOr<int32_t> RequiredInt32(const rapidjson::Value& object, const char* key) {
  EKO_ASSIGN_OR_RETURN(std::optional<int64_t> value, json::Int(object, key));
  if (!value) return absl::InternalError(absl::StrCat("envelope lacks '", key, "'"));
  if (*value < std::numeric_limits<int32_t>::min() ||
      *value > std::numeric_limits<int32_t>::max()) {
    return absl::InternalError(absl::StrCat("field '", key, "' is out of range"));
  }
  return static_cast<int32_t>(*value);
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
  env.response_status_id =
      json::OptionalInt32(root, "response_status_id", "response_status_id", &env.ignored);
  env.message = json::OptionalString(root, "message", "message", &env.ignored).value_or("");

  if (const rapidjson::Value* data = json::OptionalObject(root, "data", "data", &env.ignored)) {
    env.description =
        json::OptionalString(*data, "description", "data.description", &env.ignored).value_or("");
  }
  if (const rapidjson::Value* invalid =
          json::OptionalObject(root, "invalid_params", "invalid_params", &env.ignored)) {
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
