#ifndef EKO_ADAPTERS_CALL_KEY_H_
#define EKO_ADAPTERS_CALL_KEY_H_

#include <string>
#include <string_view>

#include "adapters/eko/endpoints.h"

namespace eko::adapter {

// The key under which decorators match calls (duplicates by client_ref_id,
// identical lookups): who asked, which RPC, and `subject` (a client_ref_id,
// or a serialized request). Distinct triples give distinct keys, whatever
// bytes each part holds.
std::string CallerRpcKey(std::string_view caller, Rpc rpc, std::string_view subject);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_CALL_KEY_H_
