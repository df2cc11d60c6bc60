#include "adapters/common/rich_status.h"

#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/types/optional.h"

namespace eko::rich {
namespace {

constexpr char kTypeUrlPrefix[] = "type.googleapis.com/";

void SetPayload(absl::Status& status, const google::protobuf::Message& message) {
  status.SetPayload(TypeUrl(message), absl::Cord(message.SerializeAsString()));
}

}  // namespace

std::string TypeUrl(const google::protobuf::Message& prototype) {
  return kTypeUrlPrefix + prototype.GetDescriptor()->full_name();
}

ErrorBuilder::ErrorBuilder(absl::StatusCode code, std::string_view reason, std::string message)
    : code_(code), message_(std::move(message)) {
  info_.set_reason(std::string(reason));
  info_.set_domain(kErrorDomain);
}

ErrorBuilder& ErrorBuilder::Metadata(std::string_view key, std::string_view value) {
  (*info_.mutable_metadata())[std::string(key)] = std::string(value);
  return *this;
}

ErrorBuilder& ErrorBuilder::FieldViolation(std::string_view field, std::string_view description) {
  auto* v = bad_request_.add_field_violations();
  v->set_field(std::string(field));
  v->set_description(std::string(description));
  return *this;
}

ErrorBuilder& ErrorBuilder::PreconditionViolation(std::string_view type, std::string_view subject,
                                                  std::string_view description) {
  auto* v = precondition_.add_violations();
  v->set_type(std::string(type));
  v->set_subject(std::string(subject));
  v->set_description(std::string(description));
  return *this;
}

ErrorBuilder& ErrorBuilder::QuotaViolation(std::string_view subject, std::string_view description) {
  auto* v = quota_.add_violations();
  v->set_subject(std::string(subject));
  v->set_description(std::string(description));
  return *this;
}

ErrorBuilder& ErrorBuilder::Resource(std::string_view type, std::string_view name,
                                     std::string_view description) {
  resource_.emplace();
  resource_->set_resource_type(std::string(type));
  resource_->set_resource_name(std::string(name));
  resource_->set_description(std::string(description));
  return *this;
}

ErrorBuilder& ErrorBuilder::RetryAfter(absl::Duration delay) {
  if (delay < absl::ZeroDuration()) delay = absl::ZeroDuration();
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  google::protobuf::Duration& retry_delay = *retry_.emplace().mutable_retry_delay();
  retry_delay.set_seconds(nanos / 1000000000);
  retry_delay.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return *this;
}

absl::Status ErrorBuilder::Build() const {
  absl::Status status(code_, message_);
  if (status.ok()) return status;
  SetPayload(status, info_);
  if (bad_request_.field_violations_size() > 0) SetPayload(status, bad_request_);
  if (precondition_.violations_size() > 0) SetPayload(status, precondition_);
  if (quota_.violations_size() > 0) SetPayload(status, quota_);
  if (resource_) SetPayload(status, *resource_);
  if (retry_) SetPayload(status, *retry_);
  return status;
}

bool GetErrorInfo(const absl::Status& status, google::rpc::ErrorInfo* out) {
  return GetDetail(status, out);
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status out;
  out.set_code(static_cast<int>(status.code()));
  out.set_message(std::string(status.message()));
  if (status.ok()) return out;

  // ErrorInfo goes first so that readers that look only at details[0] find it.
  const std::string info_url = TypeUrl(google::rpc::ErrorInfo::default_instance());
  absl::optional<absl::Cord> info = status.GetPayload(info_url);
  google::protobuf::Any* first = out.add_details();
  if (info.has_value()) {
    first->set_type_url(info_url);
    first->set_value(std::string(*info));
  } else {
    google::rpc::ErrorInfo fallback;
    fallback.set_domain(kErrorDomain);
    fallback.set_reason(status.code() == absl::StatusCode::kCancelled ? reason::kCancelled
                                                                      : reason::kInternal);
    first->PackFrom(fallback);
  }
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    if (type_url == info_url || std::string(type_url).rfind(kTypeUrlPrefix, 0) != 0) return;
    auto* any = out.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  });
  return out;
}

}  // namespace eko::rich
