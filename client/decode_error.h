#ifndef EKO_CLIENT_DECODE_ERROR_H_
#define EKO_CLIENT_DECODE_ERROR_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/commands.h"
#include "grpcpp/support/status.h"

// `eko-cli decode-error`: prints a gateway error that was received outside
// eko-cli (buf curl, grpcurl, logs, other languages) as eko-cli prints the
// errors of its own calls. client/README.md documents the input forms,
// output and exit codes.
namespace eko::cli {

// Decodes base64 written in the standard (+/) or the URL-safe (-_) alphabet,
// with or without '=' padding. ASCII whitespace anywhere is skipped (wrapped
// lines, a trailing newline). An error says what is wrong: a character in
// neither alphabet (and where), misplaced or wrong padding, or a length that
// no base64 text has.
absl::StatusOr<std::string> DecodeBase64(const std::string& text);

// Reads a gateway error given as text, in one of two forms:
//  * base64 of a serialized google.rpc.Status: the value of the
//    grpc-status-details-bin trailer;
//  * when the text starts with '{' (after whitespace), the JSON error that
//    `buf curl` prints on stderr:
//      {"code":"invalid_argument","message":"...",
//       "details":[{"type":"google.rpc.ErrorInfo","value":"<base64>"},...]}
//    where each `value` is the base64 of that one detail message.
// The result looks like a failed call's status: the code, the message and,
// in error_details(), a serialized google.rpc.Status with the details, so
// FormatErrorHuman and FormatErrorJson print it. The error (an
// InvalidArgument) says why the text is neither form.
absl::StatusOr<grpc::Status> ParseExternalError(const std::string& text);

// The `decode-error` command. It sets only Command::prepare and sends
// nothing.
Command DecodeErrorCommand();

}  // namespace eko::cli

#endif  // EKO_CLIENT_DECODE_ERROR_H_
