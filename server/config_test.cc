#include "server/config.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eko::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Args {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;

  absl::StatusOr<ParsedArgs> Parse() const {
    std::vector<const char*> raw = {"eko-gateway"};
    for (const std::string& a : argv) raw.push_back(a.c_str());
    return ParseArgs(static_cast<int>(raw.size()), raw.data(), [this](const char* name) {
      auto it = env.find(name);
      return it == env.end() ? static_cast<const char*>(nullptr) : it->second.c_str();
    });
  }
};

Args Complete() {
  return Args{{"--eko-base-url", "https://staging.eko.in/ekoapi/v3", "--eko-developer-key", "dk",
               "--eko-access-key", "ak", "--eko-initiator-id", "9962981729"},
              {}};
}

// Complete() plus each {flag, value} pair in turn is refused, with a message
// naming the flag.
void ExpectEachRefused(const std::vector<std::vector<std::string>>& flag_values) {
  for (const std::vector<std::string>& bad : flag_values) {
    Args with_bad = Complete();
    with_bad.argv.insert(with_bad.argv.end(), bad.begin(), bad.end());
    auto result = with_bad.Parse();
    ASSERT_FALSE(result.ok()) << bad[0] << " " << bad[1];
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(bad[0])) << bad[1];
  }
}

// Complete() with the access key in a file at `path` that holds `contents`.
Args WithAccessKeyFile(const std::string& path, const std::string& contents) {
  std::ofstream(path) << contents;
  Args args = Complete();
  args.argv.resize(4);  // drops --eko-access-key and what follows
  args.argv.insert(args.argv.end(),
                   {"--eko-access-key-file", path, "--eko-initiator-id", "9962981729"});
  return args;
}

TEST(ConfigTest, DevNeedsNoCredentials) {
  auto parsed = Args{{"--dev"}, {}}.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->config.dev);
  EXPECT_EQ(parsed->config.listen, "0.0.0.0:50051");
}

// Every boolean goes through one parser; EKO_GATEWAY_DEV is the boolean whose
// accidental "on" matters most.
TEST(ConfigTest, AnEmptyBooleanIsFalse) {
  for (const char* off : {"", "0", "false", "No"}) {
    Args args = Complete();
    args.env["EKO_GATEWAY_DEV"] = off;
    auto parsed = args.Parse();
    ASSERT_TRUE(parsed.ok()) << "'" << off << "': " << parsed.status();
    EXPECT_FALSE(parsed->config.dev) << "'" << off << "'";
  }
  for (const char* on : {"1", "true", "YES"}) {
    auto parsed = Args{{}, {{"EKO_GATEWAY_DEV", on}}}.Parse();
    ASSERT_TRUE(parsed.ok()) << on << ": " << parsed.status();
    EXPECT_TRUE(parsed->config.dev) << on;
  }
  // Without credentials, an empty EKO_GATEWAY_DEV leaves them required.
  auto parsed = Args{{}, {{"EKO_GATEWAY_DEV", ""}}}.Parse();
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("credentials are required"));
  // On the command line: a bare --dev is true, --dev= is false.
  parsed = Args{{"--dev"}, {{"EKO_GATEWAY_DEV", "0"}}}.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->config.dev);
  Args empty_flag = Complete();
  empty_flag.argv.push_back("--dev=");
  parsed = empty_flag.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->config.dev);
}

// --dev answers from the simulator: a real credential or Eko host next to it
// means dev mode was switched on by accident in an environment meant for Eko.
TEST(ConfigTest, DevModeRefusesRealCredentialsAndEkoHosts) {
  const std::string key_file = ::testing::TempDir() + "/dev-access-key";
  std::ofstream(key_file) << "real-access-key-from-file\n";
  struct Case {
    Args args;
    std::string named;   // the setting the message must name
    std::string secret;  // what the message must not repeat
  };
  const std::vector<Case> cases = {
      {{{"--dev", "--eko-developer-key", "real-developer-key"}, {}},
       "--eko-developer-key",
       "real-developer-key"},
      {{{}, {{"EKO_GATEWAY_DEV", "true"}, {"EKO_DEVELOPER_KEY", "real-developer-key"}}},
       "EKO_DEVELOPER_KEY",
       "real-developer-key"},
      {{{"--dev"}, {{"EKO_ACCESS_KEY", "real-access-key"}}}, "EKO_ACCESS_KEY", "real-access-key"},
      {{{"--dev", "--eko-access-key-file", key_file}, {}},
       "--eko-access-key-file",
       "real-access-key-from-file"},
      {{{"--dev", "--eko-base-url", "https://api.eko.in/ekoicici/v3"}, {}}, "not loopback", ""},
      {{{"--dev"}, {{"EKO_BASE_URL", "http://10.0.0.7:8080/ekoapi/v3"}}}, "not loopback", ""},
  };
  for (const Case& c : cases) {
    auto parsed = c.args.Parse();
    ASSERT_FALSE(parsed.ok()) << c.named;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(parsed.status().message());
    EXPECT_THAT(message, HasSubstr("--dev")) << message;
    EXPECT_THAT(message, HasSubstr(c.named)) << message;
    if (!c.secret.empty()) {
      EXPECT_THAT(message, Not(HasSubstr(c.secret)));
    }
  }
  std::remove(key_file.c_str());

  // The simulator's own credentials and a loopback URL are no accident.
  auto parsed = Args{
      {"--dev", "--eko-developer-key", "dev-developer-key", "--eko-access-key", "dev-access-key",
       "--eko-base-url", "http://127.0.0.1:8080/ekoapi/v3"},
      {}}.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->config.dev);
}

TEST(ConfigTest, AnAccessKeyOnTheCommandLineIsNoted) {
  auto parsed = Complete().Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->access_key_on_command_line);

  Args from_env = Complete();
  from_env.argv.erase(from_env.argv.begin() + 4, from_env.argv.begin() + 6);
  from_env.env["EKO_ACCESS_KEY"] = "ak";
  parsed = from_env.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.eko_access_key, "ak");
  EXPECT_FALSE(parsed->access_key_on_command_line);

  const std::string path = ::testing::TempDir() + "/noted-access-key";
  parsed = WithAccessKeyFile(path, "ak\n").Parse();
  std::remove(path.c_str());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->access_key_on_command_line);
}

TEST(ConfigTest, RefusesToStartWithoutCredentials) {
  auto parsed = Args{}.Parse();
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("--eko-base-url"));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("--eko-developer-key"));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("--eko-initiator-id"));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("--dev"));
}

TEST(ConfigTest, CompleteFlagsParse) {
  auto parsed = Complete().Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.eko_access_key, "ak");
  EXPECT_EQ(parsed->config.eko_timeout, absl::Milliseconds(30000));
}

TEST(ConfigTest, IdempotencyStoreIsMemoryOrARedisUrl) {
  auto parsed = Complete().Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.idempotency_store, "memory");
  EXPECT_EQ(parsed->config.idempotency_store_failure, "closed");

  Args redis = Complete();
  redis.env["EKO_IDEMPOTENCY_STORE"] = "redis://redis.eko.svc:6379/1";
  redis.argv.insert(redis.argv.end(), {"--idempotency-store-failure", "open"});
  parsed = redis.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.idempotency_store, "redis://redis.eko.svc:6379/1");
  EXPECT_EQ(parsed->config.idempotency_store_failure, "open");

  for (const auto& [flag, bad] : std::vector<std::pair<std::string, std::string>>{
           {"--idempotency-store", "redis"},
           {"--idempotency-store", "redis://:6379"},
           {"--idempotency-store", "http://redis:6379"},
           {"--idempotency-store-failure", "maybe"}}) {
    Args args = Complete();
    args.argv.insert(args.argv.end(), {flag, bad});
    parsed = args.Parse();
    ASSERT_FALSE(parsed.ok()) << flag << " " << bad;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(flag)) << bad;
  }
}

TEST(ConfigTest, EnvironmentTwinsAndFlagPrecedence) {
  Args args{
      {"--listen=127.0.0.1:7000"},
      {{"EKO_GATEWAY_LISTEN", "0.0.0.0:1"},
       {"EKO_BASE_URL", "https://api.eko.in/ekoicici/v3"},
       {"EKO_DEVELOPER_KEY", "dk"},
       {"EKO_ACCESS_KEY", "ak"},
       {"EKO_INITIATOR_ID", "9962981729"},
       {"EKO_USER_CODE", "20810200"},
       {"EKO_TIMEOUT_MS", "1500"},
       {"EKO_ENDPOINTS", "GetCustomer=GET /a/{customer_id}; GetSender=GET /b/{customer_id}"}}};
  auto parsed = args.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.listen, "127.0.0.1:7000");
  EXPECT_EQ(parsed->config.eko_user_code, "20810200");
  EXPECT_EQ(parsed->config.eko_timeout, absl::Milliseconds(1500));
  EXPECT_EQ(parsed->config.eko_endpoints.size(), 2u);
}

TEST(ConfigTest, UpstreamConnectionFlags) {
  auto parsed = Complete().Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.eko_max_idle_connection, absl::Seconds(30));
  EXPECT_EQ(parsed->config.eko_http2, "auto");
  EXPECT_EQ(parsed->config.eko_http2_max_streams, 1000);
  EXPECT_EQ(parsed->config.eko_prewarm_connections, 0);

  Args args = Complete();
  args.argv.insert(args.argv.end(), {"--eko-max-idle-connection-ms", "5000", "--eko-http2", "off",
                                     "--eko-http2-max-streams", "200"});
  args.env = {{"EKO_PREWARM_CONNECTIONS", "8"}};
  parsed = args.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.eko_max_idle_connection, absl::Seconds(5));
  EXPECT_EQ(parsed->config.eko_http2, "off");
  EXPECT_EQ(parsed->config.eko_http2_max_streams, 200);
  EXPECT_EQ(parsed->config.eko_prewarm_connections, 8);

  ExpectEachRefused({{"--eko-http2", "on"},
                     {"--eko-max-idle-connection-ms", "999"},
                     {"--eko-http2-max-streams", "0"},
                     {"--eko-prewarm-connections", "-1"}});
}

TEST(ConfigTest, BaseUrlMustBeHttpsUnlessLoopback) {
  Args args = Complete();
  args.argv[1] = "http://staging.eko.in/ekoapi/v3";
  EXPECT_FALSE(args.Parse().ok());
  args.argv[1] = "http://127.0.0.1:8080/ekoapi/v3";
  EXPECT_TRUE(args.Parse().ok());
  args.argv[1] = "ftp://x";
  EXPECT_FALSE(args.Parse().ok());
}

TEST(ConfigTest, BaseUrlWithUserInfoQueryOrFragmentIsRefused) {
  Args args = Complete();
  args.argv[1] = "https://user:s3cret@api.eko.in/ekoapi/v3";
  auto parsed = args.Parse();
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("user info"));
  EXPECT_THAT(std::string(parsed.status().message()), Not(HasSubstr("s3cret")));

  args.argv[1] = "https://api.eko.in/ekoapi/v3?service_code=80";
  parsed = args.Parse();
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("query"));

  args.argv[1] = "https://api.eko.in/ekoapi/v3#top";
  parsed = args.Parse();
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("fragment"));

  for (const char* bad : {"https://", "https://:443/ekoapi", "https://api.eko.in/eko api",
                          "https://api.eko.in/\r\nX: y", "api.eko.in/ekoapi/v3"}) {
    args.argv[1] = bad;
    EXPECT_FALSE(args.Parse().ok()) << bad;
  }
  // A well-behaved URL next to them still passes; an '@' in the path is not user info.
  args.argv[1] = "https://api.eko.in:443/ekoapi/v3/@x";
  EXPECT_TRUE(args.Parse().ok()) << args.Parse().status();
}

TEST(ConfigTest, AccessKeyFileIsReadAndTrimmed) {
  const std::string path = ::testing::TempDir() + "/access_key";
  Args args = WithAccessKeyFile(path, "  secret-from-file\n");
  auto parsed = args.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.eko_access_key, "secret-from-file");

  args.argv.insert(args.argv.end(), {"--eko-access-key", "also"});
  EXPECT_FALSE(args.Parse().ok());
  std::remove(path.c_str());
}

TEST(ConfigTest, CredentialsAreTrimmedFromEverySource) {
  Args flags = Complete();
  flags.argv[3] = " dk\n";
  flags.argv[5] = "\tak \r\n";
  auto parsed = flags.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.eko_developer_key, "dk");
  EXPECT_EQ(parsed->config.eko_access_key, "ak");

  Args env{
      {"--eko-base-url", "https://staging.eko.in/ekoapi/v3", "--eko-initiator-id", "9962981729"},
      {{"EKO_DEVELOPER_KEY", "dk\n"}, {"EKO_ACCESS_KEY", " ak"}}};
  parsed = env.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.eko_developer_key, "dk");
  EXPECT_EQ(parsed->config.eko_access_key, "ak");
}

TEST(ConfigTest, ControlCharactersInsideACredentialStopStartUp) {
  Args developer = Complete();
  developer.argv[3] = "d\r\nX-Injected: 1";
  auto parsed = developer.Parse();
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("--eko-developer-key holds a control"));
  // The message never repeats the key.
  EXPECT_THAT(std::string(parsed.status().message()), ::testing::Not(HasSubstr("Injected")));

  Args access = Complete();
  access.argv[5] = "a\tk";
  EXPECT_THAT(std::string(access.Parse().status().message()),
              HasSubstr("--eko-access-key holds a control"));

  const std::string path = ::testing::TempDir() + "/access_key_ctl";
  Args file = WithAccessKeyFile(path, "sec\x01ret\n");
  EXPECT_THAT(std::string(file.Parse().status().message()),
              HasSubstr("--eko-access-key-file holds a control"));
  std::remove(path.c_str());
}

TEST(ConfigTest, WireFormatOverridesParseOrStopStartUp) {
  Args args = Complete();
  args.argv.insert(args.argv.end(),
                   {"--eko-address-encoding", "OnboardSender=array", "--eko-otp-json-type",
                    "VerifyCustomerOtp=number", "--eko-endpoint",
                    "OnboardCustomer=POST /customer/account?service_code=80"});
  args.env["EKO_ADDRESS_ENCODINGS"] = "OnboardCustomer=array-string";
  auto parsed = args.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  // Flags replace the environment's list.
  EXPECT_THAT(parsed->config.eko_address_encodings, ::testing::ElementsAre("OnboardSender=array"));
  EXPECT_THAT(parsed->config.eko_otp_json_types,
              ::testing::ElementsAre("VerifyCustomerOtp=number"));

  Args env_only = Complete();
  env_only.env["EKO_OTP_JSON_TYPES"] = "VerifyCustomerOtp.otp=number; ValidateEkycOtp=number";
  parsed = env_only.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->config.eko_otp_json_types,
              ::testing::ElementsAre("VerifyCustomerOtp.otp=number", "ValidateEkycOtp=number"));

  ExpectEachRefused({{"--eko-address-encoding", "OnboardCustomer=object-string"},
                     {"--eko-address-encoding", "OnboardSender=csv"},
                     {"--eko-otp-json-type", "GetSender=number"},
                     {"--eko-endpoint", "GetCustomer=GET /x/{customer_id}?a"}});
}

TEST(ConfigTest, RejectsBadValues) {
  for (std::vector<std::string> extra : {std::vector<std::string>{"--eko-timeout-ms", "fast"},
                                         {"--log-level", "loud"},
                                         {"--nope"},
                                         {"positional"},
                                         {"--listen"},
                                         {"--dev=maybe"},
                                         {"--eko-initiator-id", "abc"},
                                         {"--max-connections", "0"},
                                         {"--max-connections", "many"},
                                         {"--max-connections-per-peer", "-1"},
                                         {"--handshake-timeout-ms", "50"},
                                         {"--handshake-timeout-ms", "1s"},
                                         {"--upstream-reserved-fds", "-5"},
                                         {"--memory-trim-interval-ms", "-1"},
                                         {"--drain-delay-ms", "-1"},
                                         {"--drain-delay-ms", "600001"}}) {
    Args args = Complete();
    args.argv.insert(args.argv.end(), extra.begin(), extra.end());
    EXPECT_FALSE(args.Parse().ok()) << extra[0];
  }
}

TEST(ConfigTest, ConnectionLimitsAndMemoryTrimHaveDefaultsFlagsAndTwins) {
  auto defaults = Complete().Parse();
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->config.max_connections, 2048);
  EXPECT_EQ(defaults->config.max_connections_per_peer, 256);
  EXPECT_EQ(defaults->config.handshake_timeout, absl::Seconds(5));
  EXPECT_EQ(defaults->config.upstream_reserved_fds, 1024);
  EXPECT_EQ(defaults->config.memory_trim_interval, absl::Seconds(5));

  Args args = Complete();
  args.argv.insert(args.argv.end(), {"--max-connections=300", "--handshake-timeout-ms", "700",
                                     "--memory-trim-interval-ms=0"});
  args.env = {{"EKO_MAX_CONNECTIONS", "9"},
              {"EKO_MAX_CONNECTIONS_PER_PEER", "0"},
              {"EKO_UPSTREAM_RESERVED_FDS", "64"},
              {"EKO_HANDSHAKE_TIMEOUT_MS", "900"}};
  auto parsed = args.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.max_connections, 300);
  EXPECT_EQ(parsed->config.max_connections_per_peer, 0);
  EXPECT_EQ(parsed->config.upstream_reserved_fds, 64);
  EXPECT_EQ(parsed->config.handshake_timeout, absl::Milliseconds(700));
  EXPECT_EQ(parsed->config.memory_trim_interval, absl::ZeroDuration());
  EXPECT_THAT(Usage(), HasSubstr("EKO_UPSTREAM_RESERVED_FDS"));
}

// 0 keeps the stop as it was: refuse new calls at once. deploy/k8s sets it.
TEST(ConfigTest, DrainDelayDefaultsToZeroWithAFlagAndATwin) {
  auto defaults = Complete().Parse();
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->config.drain_delay, absl::ZeroDuration());
  Args args = Complete();
  args.env["EKO_DRAIN_DELAY_MS"] = "5000";
  auto parsed = args.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.drain_delay, absl::Seconds(5));
  args.argv.push_back("--drain-delay-ms=1500");
  parsed = args.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->config.drain_delay, absl::Milliseconds(1500));
}

TEST(ConfigTest, VersionShortCircuits) {
  auto parsed = Args{{"--version", "--nope"}, {}}.Parse();
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->version);
  EXPECT_THAT(Usage(), HasSubstr("--version"));
}

TEST(ConfigTest, HelpListsThePrintOptions) {
  for (const char* option : {"--print-config-table", "--print-error-table", "--print-flow-table"}) {
    EXPECT_THAT(Usage(), HasSubstr(option));
  }
}

TEST(ConfigTest, HelpShortCircuits) {
  auto parsed = Args{{"--help"}, {}}.Parse();
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->help);
  EXPECT_THAT(Usage(), HasSubstr("EKO_ACCESS_KEY_FILE"));
}

TEST(ConfigTest, LoopbackDetection) {
  EXPECT_TRUE(IsLoopbackUrl("http://127.0.0.1:1/x"));
  EXPECT_TRUE(IsLoopbackUrl("http://localhost/x"));
  EXPECT_TRUE(IsLoopbackUrl("http://[::1]:80/"));
  EXPECT_FALSE(IsLoopbackUrl("http://127.0.0.1.evil.com/"));
  EXPECT_FALSE(IsLoopbackUrl("http://example.com/127.0.0.1"));
}

// The README's configuration table is generated from the option table; this
// keeps the two identical.
TEST(ConfigTest, ReadmeCarriesTheConfigurationTable) {
  std::ifstream readme(EKO_SOURCE_DIR "/README.md");
  ASSERT_TRUE(readme) << "README.md not found";
  std::string text((std::istreambuf_iterator<char>(readme)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr(ConfigMarkdownTable()))
      << "regenerate the tables with: scripts/gen-docs.sh";
}

}  // namespace
}  // namespace eko::server
