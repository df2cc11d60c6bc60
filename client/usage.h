#ifndef EKO_CLIENT_USAGE_H_
#define EKO_CLIENT_USAGE_H_

#include <string>

#include "client/commands.h"

namespace eko::cli {

// Usage text listing the global flags and every subcommand. Ends with a newline.
std::string GeneralUsage();
// Usage text of one subcommand with each of its flags. Ends with a newline.
std::string CommandUsage(const Command& command);

}  // namespace eko::cli

#endif  // EKO_CLIENT_USAGE_H_
