#ifndef EKO_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define EKO_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "google/protobuf/message.h"

// Small helpers shared by the libFuzzer targets in this directory.
namespace eko::fuzz {

// Prints what was violated and aborts, so that libFuzzer reports a crash and
// saves the input.
[[noreturn]] inline void Fail(const char* file, int line, const char* condition,
                              const std::string& detail) {
  std::fprintf(stderr, "\n%s:%d: invariant violated: %s\n  %s\n", file, line, condition,
               detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Hex dump (at most `limit` bytes) for failure messages.
inline std::string Hex(std::string_view bytes, size_t limit = 256) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const auto u = static_cast<unsigned char>(bytes[i]);
    out += kDigits[u >> 4];
    out += kDigits[u & 0x0F];
  }
  if (bytes.size() > limit) out += "...";
  return out;
}

// True when `message` survives serialization and parsing, which is what every
// gRPC peer does with it (proto3 string fields must be valid UTF-8, or the
// receiving side rejects the whole message).
template <typename Message>
bool SurvivesWire(const Message& message) {
  std::string wire;
  if (!message.SerializeToString(&wire)) return false;
  Message copy;
  return copy.ParseFromString(wire);
}

// Reads fuzzer bytes front to back; reads past the end yield zeros / empty.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : text_(reinterpret_cast<const char*>(data), size) {}

  uint8_t Byte() {
    if (text_.empty()) return 0;
    const auto b = static_cast<uint8_t>(text_.front());
    text_.remove_prefix(1);
    return b;
  }

  // The bytes up to the next `separator` (consumed, not returned), or all
  // that is left.
  std::string_view Until(char separator) {
    const size_t at = text_.find(separator);
    const std::string_view out = text_.substr(0, at);
    text_.remove_prefix(at == std::string_view::npos ? text_.size() : at + 1);
    return out;
  }

  std::string_view Rest() {
    const std::string_view out = text_;
    text_ = {};
    return out;
  }

  bool empty() const { return text_.empty(); }

 private:
  std::string_view text_;
};

}  // namespace eko::fuzz

// Checks an invariant; `detail` is a std::string expression evaluated only on
// failure.
#define EKO_FUZZ_CHECK(condition, detail)                                          \
  do {                                                                             \
    if (!(condition)) ::eko::fuzz::Fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)

#endif  // EKO_TESTS_FUZZ_FUZZ_SUPPORT_H_
