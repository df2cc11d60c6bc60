#ifndef EKO_SERVER_TRACE_CONTEXT_H_
#define EKO_SERVER_TRACE_CONTEXT_H_

#include <optional>
#include <string>
#include <string_view>

// W3C Trace Context (https://www.w3.org/TR/trace-context/) for one RPC: the
// caller's `traceparent` metadata is continued, or the gateway starts a trace
// of its own. Each RPC is a span of its own in the gateway.
namespace eko::server {

inline constexpr char kTraceparentHeader[] = "traceparent";

struct TraceContext {
  std::string trace_id;        // 32 lowercase hex digits, not all zero
  std::string span_id;         // this RPC's span: 16 lowercase hex digits, fresh
  std::string parent_span_id;  // the caller's span; empty when the trace started here
  std::string trace_flags;     // 2 lowercase hex digits ("00" when the trace started here)

  // "00-<trace_id>-<span_id>-<trace_flags>": the traceparent naming this
  // RPC's span, for the caller and for calls made on its behalf.
  std::string Traceparent() const;
};

// `bytes` random bytes as lowercase hex (2 × `bytes` digits), never all zero:
// trace and span ids, and the gateway's own request ids.
std::string RandomHexId(int bytes);

// The trace id, parent id and flags of a traceparent value: version 00
// exactly, or a later version's first four fields (version ff is invalid);
// lowercase hex only, ids not all zero. nullopt when invalid. span_id is
// left empty.
std::optional<TraceContext> ParseTraceparent(std::string_view value);

// The context of an RPC that received `traceparent` (nullopt: none, or sent
// more than once): the caller's trace when it parses, else a new trace id;
// a new span id either way.
TraceContext TraceContextFor(std::optional<std::string_view> traceparent);

}  // namespace eko::server

#endif  // EKO_SERVER_TRACE_CONTEXT_H_
