#include "adapters/call_key.h"

namespace eko::adapter {

std::string CallerRpcKey(std::string_view caller, Rpc rpc, std::string_view subject) {
  // The caller is length-prefixed, so it cannot run into the RPC name; the
  // RPC name holds no separator, so it cannot run into the subject.
  std::string key = std::to_string(caller.size());
  key.push_back(':');
  key.append(caller);
  key.push_back('\x1f');
  key.append(RpcName(rpc));
  key.push_back('\x1f');
  key.append(subject);
  return key;
}

}  // namespace eko::adapter
