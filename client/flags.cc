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
      {"tls", nullptr,
       "connect with TLS, trusting the system's CAs (implied by the other --tls-* flags)"},
      {"tls-ca-file", "FILE", "connect with TLS, trusting the CAs in this PEM file"},
      {"tls-cert-file", "FILE",
       "mutual TLS: PEM client certificate chain to present (with --tls-key-file)"},
      {"tls-key-file", "FILE", "mutual TLS: PEM private key of --tls-cert-file"},
      {"tls-server-name", "NAME",
       "name to verify the gateway's certificate against instead of the --addr host (e.g. the "
       "Service DNS name when --addr is 127.0.0.1)"},
      {"token-file", "FILE",
       "send 'authorization: Bearer <token>' with every call, the token read from FILE"},
      {"json", nullptr, "print the response or the error as one line of JSON on stdout"},
      {"version", nullptr, "print eko-cli's version and exit"},
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
