#include "client/flags.h"

#include <utility>

namespace eko::cli {

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
