#include "client/flags.h"

#include <utility>

namespace eko::cli {

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec>* const kFlags = new std::vector<FlagSpec>{
      {"addr", "HOST:PORT", "gateway address (default: $EKO_GATEWAY_ADDR, else 127.0.0.1:50051)"},
      {"timeout", "SECONDS", "deadline of the call in seconds, e.g. 2.5 (default 30)"},
      {"service-config", "FILE",
       "gRPC service config for the channel: retries on UNAVAILABLE, per-method timeouts, "
       "wait-for-ready (default: $EKO_SERVICE_CONFIG, else the shipped "
       "grpc-service-config.json when found; 'none': no service config)"},
      {"json", nullptr, "print the response or the error as one line of JSON on stdout"},
      {"help", nullptr, "show usage and exit (-h works too)"},
  };
  return *kFlags;
}

void ParsedFlags::Add(std::string_view name, std::string value) {
  auto it = values_.find(name);
  if (it == values_.end())
    it = values_.emplace(std::string(name), std::vector<std::string>()).first;
  it->second.push_back(std::move(value));
}

bool ParsedFlags::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string ParsedFlags::Value(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string() : it->second.front();
}

const std::vector<std::string>& ParsedFlags::Values(std::string_view name) const {
  static const std::vector<std::string>* const kNone = new std::vector<std::string>();
  auto it = values_.find(name);
  return it == values_.end() ? *kNone : it->second;
}

void ParsedFlags::AddArgument(std::string argument) { arguments_.push_back(std::move(argument)); }

}  // namespace eko::cli
