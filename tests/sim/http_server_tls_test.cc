// HttpServer and Simulator over HTTPS: certificate files, TLS versions, and
// clients that fail the handshake (which must not disturb other connections).

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sim/http_server.h"
#include "tests/sim/simulator.h"
#include "tests/support/test_pki.h"

namespace eko::sim {
namespace {

using ::eko::testing::UpstreamTestPki;

struct TlsCall {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  long new_connections = 0;
};

size_t AppendTo(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// A libcurl handle that verifies the server against the test CA (or
// `ca_file`); successive calls reuse its keep-alive connection.
class TlsClient {
 public:
  explicit TlsClient(const std::string& ca_file = UpstreamTestPki::Get().CertFile("ca"))
      : curl_(curl_easy_init()) {
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl_, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(curl_, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendTo);
  }
  ~TlsClient() { curl_easy_cleanup(curl_); }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // Offers only TLS 1.0 and 1.1, at OpenSSL security level 0 (Debian's
  // default level refuses both).
  void OfferOnlyLegacyTls() {
    curl_easy_setopt(curl_, CURLOPT_SSLVERSION,
                     static_cast<long>(CURL_SSLVERSION_TLSv1_0) |
                         static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_1));
    curl_easy_setopt(curl_, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
  }

  TlsCall Get(const std::string& url) {
    TlsCall call;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &call.body);
    call.code = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &call.status);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &call.new_connections);
    return call;
  }

 private:
  CURL* curl_;
};

// Connects to 127.0.0.1:`port`, sends `bytes`, ends its side of the
// connection and returns what the server sent back before closing (read until
// EOF, error or 5 s).
std::string SendRaw(int port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const timeval timeout = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string received;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    shutdown(fd, SHUT_WR);  // A server waiting for the rest of a record sees EOF.
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) received.append(buffer, n);
  }
  close(fd);
  return received;
}

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki().ok()) << pki().error(); }

  static const UpstreamTestPki& pki() { return UpstreamTestPki::Get(); }

  static HttpServer::Options TlsOptions(const std::string& certificate = "server") {
    HttpServer::Options options;
    options.tls_cert_chain_file = pki().CertFile(certificate);
    options.tls_key_file = pki().KeyFile(certificate);
    return options;
  }

  // Starts a server answering 200 "hello" and counting requests.
  std::unique_ptr<HttpServer> StartServer(const HttpServer::Options& options) {
    auto server = HttpServer::Start(
        "127.0.0.1:0",
        [this](const SimRequest&) {
          ++requests_;
          return SimResponse{.body = "hello"};
        },
        options);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  static std::string Url(const HttpServer& server, const std::string& host = "localhost") {
    return absl::StrCat(server.scheme(), "://", host, ":", server.port(), "/");
  }

  std::atomic<int> requests_{0};
};

TEST_F(HttpServerTlsTest, ServesHttpsToAClientThatVerifiesNameAndChain) {
  auto server = StartServer(TlsOptions());
  ASSERT_NE(server, nullptr);
  EXPECT_STREQ(server->scheme(), "https");
  TlsClient client;
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    const TlsCall call = client.Get(Url(*server, host));
    EXPECT_EQ(call.code, CURLE_OK) << host << ": " << curl_easy_strerror(call.code);
    EXPECT_EQ(call.status, 200);
    EXPECT_EQ(call.body, "hello");
  }
  EXPECT_EQ(requests_, 2);
}

TEST_F(HttpServerTlsTest, PlainHttpServerSaysHttp) {
  auto server = StartServer(HttpServer::Options());
  ASSERT_NE(server, nullptr);
  EXPECT_STREQ(server->scheme(), "http");
}

TEST_F(HttpServerTlsTest, CertificatesClientsMustRefuseAreServedAsGiven) {
  // The simulator serves whatever it is given; refusing is the client's job.
  for (const auto& [certificate, expected] :
       {std::pair<std::string, CURLcode>{"untrusted", CURLE_PEER_FAILED_VERIFICATION},
        {"wrong-host", CURLE_PEER_FAILED_VERIFICATION},
        {"expired", CURLE_PEER_FAILED_VERIFICATION}}) {
    auto server = StartServer(TlsOptions(certificate));
    ASSERT_NE(server, nullptr);
    TlsClient client;
    EXPECT_EQ(client.Get(Url(*server)).code, expected) << certificate;
  }
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpServerTlsTest, PlaintextAndGarbageClientsDoNotDisturbOtherConnections) {
  auto server = StartServer(TlsOptions());
  ASSERT_NE(server, nullptr);
  TlsClient client;
  ASSERT_EQ(client.Get(Url(*server)).code, CURLE_OK);

  // Plain HTTP, a truncated TLS record and random bytes: each connection
  // ends without an HTTP reply and without a request reaching the handler.
  for (const std::string& bytes : {std::string("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                                   std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
                                   std::string(5000, '\xff')}) {
    const std::string reply = SendRaw(server->port(), bytes);
    EXPECT_FALSE(absl::StartsWith(reply, "HTTP/")) << reply;
  }

  // The first client's keep-alive connection still works (no new connection).
  const TlsCall again = client.Get(Url(*server));
  EXPECT_EQ(again.code, CURLE_OK) << curl_easy_strerror(again.code);
  EXPECT_EQ(again.body, "hello");
  EXPECT_EQ(again.new_connections, 0);
  EXPECT_EQ(requests_, 2);
}

TEST_F(HttpServerTlsTest, LegacyOnlyServerSpeaksTls11ToClientsThatOfferIt) {
  HttpServer::Options options = TlsOptions();
  options.tls_min_version = "1.0";
  options.tls_max_version = "1.1";
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);

  TlsClient legacy_client;
  legacy_client.OfferOnlyLegacyTls();
  const TlsCall legacy = legacy_client.Get(Url(*server));
  EXPECT_EQ(legacy.code, CURLE_OK) << curl_easy_strerror(legacy.code);
  EXPECT_EQ(legacy.body, "hello");

  TlsClient modern_client;  // Debian's default: TLS 1.2 and up.
  EXPECT_EQ(modern_client.Get(Url(*server)).code, CURLE_SSL_CONNECT_ERROR);
  EXPECT_EQ(requests_, 1);
}

TEST_F(HttpServerTlsTest, ModernServerRefusesLegacyClients) {
  HttpServer::Options options = TlsOptions();
  options.tls_min_version = "1.2";
  auto server = StartServer(options);
  ASSERT_NE(server, nullptr);
  TlsClient legacy_client;
  legacy_client.OfferOnlyLegacyTls();
  EXPECT_EQ(legacy_client.Get(Url(*server)).code, CURLE_SSL_CONNECT_ERROR);
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpServerTlsTest, StartFailsForBadTlsOptions) {
  const auto start = [](const HttpServer::Options& options) {
    return HttpServer::Start(
               "127.0.0.1:0", [](const SimRequest&) { return SimResponse(); }, options)
        .status();
  };
  HttpServer::Options missing_file = TlsOptions();
  missing_file.tls_cert_chain_file = pki().CertFile("no-such-certificate");
  EXPECT_THAT(std::string(start(missing_file).message()), ::testing::HasSubstr("certificate"));

  HttpServer::Options key_of_another = TlsOptions();
  key_of_another.tls_key_file = pki().KeyFile("expired");
  EXPECT_THAT(std::string(start(key_of_another).message()), ::testing::HasSubstr("private key"));

  HttpServer::Options bad_version = TlsOptions();
  bad_version.tls_max_version = "1.4";
  EXPECT_EQ(start(bad_version).code(), absl::StatusCode::kInvalidArgument);

  HttpServer::Options key_only;
  key_only.tls_key_file = pki().KeyFile("server");
  EXPECT_EQ(start(key_only).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HttpServerTlsTest, SimulatorServesEkoOverHttpsAndAdminOverPlainHttp) {
  Simulator::ServeOptions serve;
  serve.http = TlsOptions();
  serve.admin_listen = "127.0.0.1:0";
  auto simulator = Simulator::Start(SimConfig(), "127.0.0.1:0", serve);
  ASSERT_TRUE(simulator.ok()) << simulator.status();
  EXPECT_TRUE(absl::StartsWith((*simulator)->base_url(), "https://127.0.0.1:"));
  EXPECT_TRUE(absl::StartsWith((*simulator)->admin_url(), "http://127.0.0.1:"));
  EXPECT_TRUE(absl::EndsWith((*simulator)->admin_url(), "/__sim"));

  TlsClient client;
  // Unsigned, so Eko's endpoint answers 403; what matters is that it answers.
  EXPECT_EQ(client.Get((*simulator)->base_url() + "/customer/profile/9876543210").status, 403);
  EXPECT_EQ(client.Get(absl::StrCat("https://127.0.0.1:", (*simulator)->port(), "/__sim/requests"))
                .status,
            200);

  TlsClient plain;
  const std::string admin_root = (*simulator)->admin_url();
  const TlsCall requests = plain.Get(admin_root + "/requests");
  EXPECT_EQ(requests.status, 200);
  EXPECT_THAT(requests.body, ::testing::HasSubstr("/customer/profile/9876543210"));
  const std::string eko_path_on_admin_port =
      admin_root.substr(0, admin_root.size() - 6) + "/ekoapi/v3/customer/profile/9876543210";
  EXPECT_EQ(plain.Get(eko_path_on_admin_port).status, 404);
}

}  // namespace
}  // namespace eko::sim
