#include "adapters/redis_record.h"

#include <string>

#include "adapters/common/rich_status.h"
#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

TEST(ParseRedisUrlTest, TakesHostPortAndDatabase) {
  struct Case {
    const char* url;
    const char* host;
    int port;
    int db;
  };
  for (const Case& c : {Case{"redis://127.0.0.1:6380/2", "127.0.0.1", 6380, 2},
                        Case{"redis://redis", "redis", 6379, 0},
                        Case{"redis://redis.eko.svc:7000/", "redis.eko.svc", 7000, 0},
                        Case{"redis://[::1]:6381/15", "::1", 6381, 15}}) {
    absl::StatusOr<RedisAddress> address = ParseRedisUrl(c.url);
    ASSERT_TRUE(address.ok()) << c.url << ": " << address.status();
    EXPECT_EQ(address->host, c.host) << c.url;
    EXPECT_EQ(address->port, c.port) << c.url;
    EXPECT_EQ(address->db, c.db) << c.url;
  }
}

TEST(ParseRedisUrlTest, RefusesAnythingElse) {
  for (const char* url :
       {"", "memory2", "http://redis:6379", "redis://", "redis://:6379", "redis://h:0",
        "redis://h:65536", "redis://h:port", "redis://h/16", "redis://h/x",
        "redis://user:secret@h:6379", "redis://h:6379?db=1", "redis://[::1", "redis://[::1]x"}) {
    absl::StatusOr<RedisAddress> address = ParseRedisUrl(url);
    EXPECT_EQ(address.status().code(), absl::StatusCode::kInvalidArgument) << url;
  }
  // The message never repeats a password.
  EXPECT_EQ(ParseRedisUrl("redis://user:secret@h").status().message().find("secret"),
            std::string::npos);
}

TEST(StoredCallTest, AnInFlightClaimRoundTrips) {
  const std::string value = EncodeStoredCall({.fingerprint = std::string("\0\x01fp", 4)});
  std::optional<StoredCall> decoded = DecodeStoredCall(value);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->fingerprint, std::string("\0\x01fp", 4));
  EXPECT_FALSE(decoded->finished);
}

TEST(StoredCallTest, AResultKeepsEveryByteOfTheStatus) {
  const absl::Status error =
      rich::ErrorBuilder(absl::StatusCode::kInvalidArgument, rich::reason::kOtpInvalid, "bad otp")
          .Metadata("ekoStatus", "302");
  for (const DuplicateStore::Outcome& outcome :
       {DuplicateStore::Outcome{absl::OkStatus(), std::string("resp\0onse", 9), "ref-1"},
        DuplicateStore::Outcome{error, "", "ref-2"}}) {
    std::optional<StoredCall> decoded = DecodeStoredCall(
        EncodeStoredCall({.fingerprint = "fp", .finished = true, .outcome = outcome}));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_TRUE(decoded->finished);
    EXPECT_EQ(decoded->outcome.status, outcome.status);
    EXPECT_EQ(decoded->outcome.response, outcome.response);
    EXPECT_EQ(decoded->outcome.client_ref_id, outcome.client_ref_id);
  }
  google::rpc::ErrorInfo info;
  std::optional<StoredCall> decoded = DecodeStoredCall(
      EncodeStoredCall({.fingerprint = "fp", .finished = true, .outcome = {error, "", "ref-2"}}));
  ASSERT_TRUE(decoded.has_value() && rich::GetErrorInfo(decoded->outcome.status, &info));
  EXPECT_EQ(info.metadata().at("ekoStatus"), "302");
}

TEST(StoredCallTest, GarbageIsRefused) {
  const std::string good = EncodeStoredCall(
      {.fingerprint = "fp", .finished = true, .outcome = {absl::OkStatus(), "r", "id"}});
  EXPECT_FALSE(DecodeStoredCall("").has_value());
  EXPECT_FALSE(DecodeStoredCall("not a record").has_value());
  EXPECT_FALSE(DecodeStoredCall(good.substr(0, good.size() - 1)).has_value());
  EXPECT_FALSE(DecodeStoredCall(good + "x").has_value());
}

}  // namespace
}  // namespace eko::adapter
