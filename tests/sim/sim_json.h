#ifndef EKO_TESTS_SIM_SIM_JSON_H_
#define EKO_TESTS_SIM_SIM_JSON_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

// Small helpers for the JSON the simulator writes (Eko replies and the admin
// endpoints). Keys and values may hold NUL bytes: their sizes are passed on.
namespace eko::sim::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void Key(Writer& w, absl::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

inline void Str(Writer& w, absl::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

inline void KeyStr(Writer& w, absl::string_view key, absl::string_view value) {
  Key(w, key);
  Str(w, value);
}

inline void KeyInt(Writer& w, absl::string_view key, int64_t value) {
  Key(w, key);
  w.Int64(value);
}

// `key` followed by an object of string members, one per (name, value) pair
// of `pairs` (a map or a sequence of pairs), in their order.
template <typename Pairs>
void KeyStrObject(Writer& w, absl::string_view key, const Pairs& pairs) {
  Key(w, key);
  w.StartObject();
  for (const auto& [name, value] : pairs) KeyStr(w, name, value);
  w.EndObject();
}

}  // namespace eko::sim::json

#endif  // EKO_TESTS_SIM_SIM_JSON_H_
