#include "tests/sim/simulator.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/sim/http_server.h"
#include "tests/sim/signature.h"

namespace eko::sim {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

struct HttpResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string headers;  // Raw header block(s) as received.
  std::string body;
  long new_connections = 0;  // Connections curl opened for this call.
};

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One libcurl easy handle; successive calls reuse its keep-alive connection.
class Client {
 public:
  Client() : curl_(curl_easy_init()) {}
  ~Client() { curl_easy_cleanup(curl_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  HttpResult Call(const std::string& method, const std::string& url,
                  const std::vector<std::string>& headers = {}, const std::string& body = "",
                  long timeout_ms = 10000) {
    curl_easy_reset(curl_);  // Keeps the connection cache.
    HttpResult result;
    curl_slist* list = nullptr;
    for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &result.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &AppendBody);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &result.headers);
    if (method == "GET") {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
      if (method != "DELETE" || !body.empty()) {
        curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
      }
    }
    result.code = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &result.status);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &result.new_connections);
    curl_slist_free_all(list);
    return result;
  }

 private:
  CURL* curl_;
};

// Headers of a correctly signed Eko call.
std::vector<std::string> SignedHeaders(const SimConfig& config, bool json = false) {
  const std::string timestamp = std::to_string(NowMs());
  std::vector<std::string> headers = {
      "developer_key: " + config.developer_key,
      "secret-key-timestamp: " + timestamp,
      "secret-key: " + ComputeSecretKey(config.access_key, timestamp),
  };
  if (json) headers.push_back("Content-Type: application/json");
  return headers;
}

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

constexpr char kQuery[] = "?initiator_id=9962981729&user_code=20810200";

std::unique_ptr<Simulator> StartSimulator(const SimConfig& config = SimConfig()) {
  auto simulator = Simulator::Start(config, "127.0.0.1:0");
  EXPECT_TRUE(simulator.ok()) << simulator.status();
  return simulator.ok() ? *std::move(simulator) : nullptr;
}

// A raw TCP connection to 127.0.0.1:port, or -1.
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads one HTTP response with a Content-Length body; returns its status
// code, or -1 on error/EOF.
int ReadResponse(int fd) {
  std::string data;
  char buffer[4096];
  while (true) {
    const size_t header_end = data.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      size_t length = 0;
      const std::string lower = data.substr(0, header_end);
      const size_t cl = lower.find("Content-Length: ");
      if (cl != std::string::npos) {
        const size_t end = lower.find("\r\n", cl);
        if (!absl::SimpleAtoi(lower.substr(cl + 16, end - cl - 16), &length)) return -1;
      }
      if (data.size() >= header_end + 4 + length) {
        int status = -1;
        if (!absl::SimpleAtoi(data.substr(9, 3), &status)) return -1;
        return status;
      }
    }
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) return -1;
    data.append(buffer, static_cast<size_t>(n));
  }
}

// The simulator's request log (GET /__sim/requests).
rapidjson::Document RequestLog(Client& admin, const Simulator& simulator) {
  return ParseJson(admin.Call("GET", simulator.admin_url() + "/requests").body);
}

// Polls the request log until it holds `count` requests; false if it does
// not within 10 s.
bool WaitForLoggedRequests(Client& admin, const Simulator& simulator, size_t count) {
  const auto give_up = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < give_up) {
    const rapidjson::Document log = RequestLog(admin, simulator);
    if (log.IsArray() && log.Size() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class SimulatorHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

TEST_F(SimulatorHttpTest, ReportsUrls) {
  const auto simulator = StartSimulator();
  ASSERT_NE(simulator, nullptr);
  EXPECT_GT(simulator->port(), 0);
  EXPECT_EQ(simulator->base_url(),
            absl::StrCat("http://127.0.0.1:", simulator->port(), "/ekoapi/v3"));
  EXPECT_EQ(simulator->admin_url(), absl::StrCat("http://127.0.0.1:", simulator->port(), "/__sim"));
}

TEST_F(SimulatorHttpTest, StartFailsForBadAddressesAndConfig) {
  EXPECT_FALSE(Simulator::Start(SimConfig(), "no-port").ok());
  EXPECT_FALSE(Simulator::Start(SimConfig(), "127.0.0.1:99999").ok());
  const auto first = StartSimulator();
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(Simulator::Start(SimConfig(), absl::StrCat("127.0.0.1:", first->port())).ok());
  SimConfig bad;
  bad.base_path = "nope";
  EXPECT_FALSE(Simulator::Start(bad, "127.0.0.1:0").ok());
}

// A whole generic-customer journey over one keep-alive connection; also shows
// that evhttp passes the underscore header developer_key through.
TEST_F(SimulatorHttpTest, SignedCallsReuseOneKeepAliveConnection) {
  SimConfig config;
  const auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);
  Client client;

  HttpResult result =
      client.Call("GET", simulator->base_url() + "/customer/profile/6111111111" + kQuery,
                  SignedHeaders(config));
  ASSERT_EQ(result.code, CURLE_OK);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.new_connections, 1);
  rapidjson::Document doc = ParseJson(result.body);
  EXPECT_EQ(doc["response_type_id"].GetInt(), 2129);
  const std::string ref = doc["data"]["otp_ref_id"].GetString();

  result = client.Call("GET", simulator->admin_url() + "/otp?customer_id=6111111111");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.new_connections, 0);
  const std::string otp = ParseJson(result.body)["otp"].GetString();

  result =
      client.Call("POST", simulator->base_url() + "/customer/account/6111111111/otp/verify",
                  SignedHeaders(config, /*json=*/true),
                  absl::StrCat(R"({"initiator_id":"9962981729","user_code":"20810200","otp":")",
                               otp, R"(","otp_ref_id":")", ref, R"("})"));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.new_connections, 0);
  doc = ParseJson(result.body);
  EXPECT_EQ(doc["response_type_id"].GetInt(), 309) << result.body;

  result = client.Call("GET", simulator->admin_url() + "/requests");
  EXPECT_EQ(result.new_connections, 0);
  doc = ParseJson(result.body);
  ASSERT_TRUE(doc.IsArray());
  ASSERT_EQ(doc.Size(), 2u);
  EXPECT_TRUE(doc[0]["developer_key_present"].GetBool());
  EXPECT_TRUE(doc[0]["auth_ok"].GetBool());
  EXPECT_STREQ(doc[0]["query"]["user_code"].GetString(), "20810200");
  EXPECT_STREQ(doc[1]["content_type"].GetString(), "application/json");
  EXPECT_THAT(result.body, ::testing::HasSubstr("\"developer_key\""));
}

TEST_F(SimulatorHttpTest, TransportLevelErrors) {
  SimConfig config;
  const auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);
  Client client;
  // The hyphenated spelling is not Eko's header.
  std::vector<std::string> hyphen = SignedHeaders(config);
  hyphen[0] = "developer-key: " + config.developer_key;
  HttpResult result =
      client.Call("GET", simulator->base_url() + "/customer/profile/6111111111" + kQuery, hyphen);
  EXPECT_EQ(result.status, 403);
  EXPECT_EQ(result.body, R"({"status":403,"message":"Forbidden"})");

  result = client.Call("GET", simulator->base_url() + "/customer/nothing" + kQuery,
                       SignedHeaders(config));
  EXPECT_EQ(result.status, 404);
  result = client.Call("PUT", simulator->base_url() + "/customer/profile/6111111111",
                       SignedHeaders(config, true), "{}");
  EXPECT_EQ(result.status, 405);
  result = client.Call("POST", simulator->base_url() + "/customer/account/6111111111",
                       SignedHeaders(config), "initiator_id=9962981729");
  EXPECT_EQ(result.status, 415);  // curl's default form content type.
  EXPECT_EQ(result.new_connections, 0);

  // Bodies above 1 MiB are refused by the HTTP layer.
  result = client.Call("POST", simulator->base_url() + "/customer/account/6111111111",
                       SignedHeaders(config, true), std::string(2 << 20, ' '));
  EXPECT_EQ(result.status, 413);
}

// The legacy path forms over HTTP, with the PayPoint query service_code=80:
// the query is split off the path, ignored and logged, and a POST with a
// query still has its JSON body read.
TEST_F(SimulatorHttpTest, LegacyPathsWithAnUnknownQueryOverHttp) {
  SimConfig config;
  const auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);
  Client client;
  const std::string body =
      R"({"initiator_id":"9962981729","user_code":"20810200","customer_id":"9000000001",)"
      R"("name":"Asha Rao","dob":"1990-05-15","residence_address":["12 MG Road","Pune"]})";
  HttpResult result =
      client.Call("POST", simulator->base_url() + "/customer/account?service_code=80",
                  SignedHeaders(config, /*json=*/true), body);
  ASSERT_EQ(result.code, CURLE_OK);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(ParseJson(result.body)["response_type_id"].GetInt(), 2129) << result.body;

  result = client.Call(
      "GET",
      simulator->base_url() + "/customer/profile/9000000001/dmt-fino" + kQuery + "&service_code=80",
      SignedHeaders(config));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(ParseJson(result.body)["response_type_id"].GetInt(), 308) << result.body;

  const rapidjson::Document log = RequestLog(client, *simulator);
  ASSERT_TRUE(log.IsArray());
  ASSERT_EQ(log.Size(), 2u);
  EXPECT_STREQ(log[0]["path"].GetString(), "/ekoapi/v3/customer/account");
  EXPECT_STREQ(log[0]["query"]["service_code"].GetString(), "80");
  EXPECT_EQ(log[0]["body"].GetString(), body);
  EXPECT_STREQ(log[1]["path"].GetString(), "/ekoapi/v3/customer/profile/9000000001/dmt-fino");
  EXPECT_STREQ(log[1]["query"]["service_code"].GetString(), "80");
}

// A GET is served with or without a Content-Type header, and the request log
// records the header as sent ("" when absent).
TEST_F(SimulatorHttpTest, GetContentTypeIsLoggedOverHttp) {
  SimConfig config;
  const auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);
  Client client;
  const std::string url = simulator->base_url() + "/customer/profile/6111111111" + kQuery;
  for (const bool json : {true, false}) {
    const HttpResult result = client.Call("GET", url, SignedHeaders(config, json));
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(ParseJson(result.body)["response_type_id"].GetInt(), 2129) << result.body;
  }
  const rapidjson::Document log = RequestLog(client, *simulator);
  ASSERT_EQ(log.Size(), 2u);
  EXPECT_STREQ(log[0]["method"].GetString(), "GET");
  EXPECT_STREQ(log[0]["content_type"].GetString(), "application/json");
  EXPECT_STREQ(log[1]["content_type"].GetString(), "");
}

TEST_F(SimulatorHttpTest, LargeBodyWithExpectContinueIsServedPromptly) {
  SimConfig config;
  const auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);
  Client client;
  const std::string pid = "<PidData>" + std::string(8000, 'x') + "</PidData>";
  std::vector<std::string> headers = SignedHeaders(config, true);
  headers.push_back("Expect: 100-continue");
  const HttpResult result = client.Call(
      "PUT", simulator->base_url() + "/customer/payment/dmt-fino/sender/6222222222/otp", headers,
      absl::StrCat(R"({"initiator_id":"9962981729","user_code":"20810200",)",
                   R"("aadhar":"123412341234","piddata":")", pid, R"("})"));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(ParseJson(result.body)["response_type_id"].GetInt(), 2132) << result.body;
  // The interim reply lets curl send the body at once instead of waiting out
  // its 1 s Expect timeout.
  EXPECT_THAT(result.headers, ::testing::StartsWith("HTTP/1.1 100 Continue\r\n"));
}

TEST_F(SimulatorHttpTest, LatencyDelaysRepliesWithoutBlockingOthers) {
  SimConfig config;
  config.latency_ms = 1500;
  const auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);

  std::vector<int64_t> took(2);
  std::vector<long> status(2);
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      Client client;
      const auto begin = Clock::now();
      status[i] = client
                      .Call("GET", simulator->base_url() + "/customer/profile/6111111111" + kQuery,
                            SignedHeaders(config))
                      .status;
      took[i] = ElapsedMs(begin);
      ++answered;
    });
  }
  // Both requests are received while neither is answered: one delayed reply
  // does not hold up the other request, nor the admin endpoints.
  Client admin;
  EXPECT_TRUE(WaitForLoggedRequests(admin, *simulator, 2));
  EXPECT_EQ(admin.Call("GET", simulator->admin_url() + "/health").status, 200);
  EXPECT_EQ(answered.load(), 0);
  for (std::thread& thread : threads) thread.join();

  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(status[i], 200);
    EXPECT_GE(took[i], config.latency_ms - 10);
  }
}

TEST_F(SimulatorHttpTest, ThousandsOfConcurrentConnections) {
  ASSERT_TRUE(RaiseOpenFileLimit().ok());
  SimConfig config;
  config.latency_ms = 200;
  const auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);

  constexpr int kConnections = 2000;
  const std::string request =
      absl::StrCat("GET /ekoapi/v3/customer/profile/6111111111", kQuery,
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\ndeveloper_key: x\r\n\r\n");
  std::vector<int> fds;
  const auto start = Clock::now();
  for (int i = 0; i < kConnections; ++i) {
    const int fd = Connect(simulator->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    fds.push_back(fd);
  }
  // Every request is in flight (waiting out the latency) at the same time.
  for (int round = 0; round < 2; ++round) {
    for (int fd : fds) ASSERT_TRUE(WriteAll(fd, request));
    int forbidden = 0;
    for (int fd : fds) forbidden += ReadResponse(fd) == 403 ? 1 : 0;
    EXPECT_EQ(forbidden, kConnections) << "round " << round;
  }
  // The delays run side by side: one after another they would take
  // 2 x 2000 x 200 ms = 800 s.
  EXPECT_LT(ElapsedMs(start), 30000);
  for (int fd : fds) close(fd);
}

TEST_F(SimulatorHttpTest, ClientGoneBeforeDelayedReplyIsHarmless) {
  SimConfig config;
  config.latency_ms = 200;
  auto simulator = StartSimulator(config);
  ASSERT_NE(simulator, nullptr);
  for (int i = 0; i < 20; ++i) {
    const int fd = Connect(simulator->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(WriteAll(fd, "GET /ekoapi/v3/x HTTP/1.1\r\nHost: a\r\n\r\n"));
    close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Client client;
  EXPECT_EQ(client.Call("GET", simulator->admin_url() + "/health").status, 200);
  // A delayed reply still pending when the simulator shuts down.
  const int pending = Connect(simulator->port());
  ASSERT_TRUE(WriteAll(pending, "GET /ekoapi/v3/x HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  simulator.reset();
  close(pending);
}

// The HTTP layer's non-reply actions, for fault injection.
TEST_F(SimulatorHttpTest, HttpServerCanCloseAndStall) {
  auto server = HttpServer::Start("127.0.0.1:0", [](const SimRequest& request) {
    SimResponse response;
    response.headers.emplace_back("Content-Type", "text/plain");
    const auto a = request.query.find("a");
    response.body = request.method + " " + request.path + " " +
                    (a == request.query.end() ? std::string("-") : a->second);
    if (request.path == "/close") response.action = ReplyAction::kCloseConnection;
    if (request.path == "/stall") response.action = ReplyAction::kStall;
    return response;
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string base = absl::StrCat("http://127.0.0.1:", (*server)->port());
  Client client;
  HttpResult result = client.Call("GET", base + "/echo?a=x%20y+z");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "GET /echo x y z");

  result = client.Call("GET", base + "/close");
  EXPECT_EQ(result.code, CURLE_GOT_NOTHING);

  const auto start = Clock::now();
  result = client.Call("GET", base + "/stall", {}, "", /*timeout_ms=*/300);
  EXPECT_EQ(result.code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_GE(ElapsedMs(start), 290);

  result = client.Call("GET", base + "/echo");
  EXPECT_EQ(result.status, 200);
  // A stalled request still parked at shutdown is released by the destructor.
  Client parked;
  std::thread([&] { parked.Call("GET", base + "/stall", {}, "", 200); }).join();
  server->reset();
}

TEST_F(SimulatorHttpTest, StalledRequestIsReleasedWhenItsClientLeaves) {
  HttpServer::Options options;
  options.sweep_interval_ms = 50;
  auto server = HttpServer::Start(
      "127.0.0.1:0",
      [](const SimRequest& request) {
        SimResponse response;
        if (request.path == "/stall") response.action = ReplyAction::kStall;
        if (request.path == "/slow") response.delay_ms = 100;
        return response;
      },
      options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string base = absl::StrCat("http://127.0.0.1:", (*server)->port());
  Client client;
  std::thread slow([&] {
    Client other;
    EXPECT_EQ(other.Call("GET", base + "/slow").status, 200);
  });
  EXPECT_EQ(client.Call("GET", base + "/stall", {}, "", 100).code, CURLE_OPERATION_TIMEDOUT);
  slow.join();
  // The client hung up; the next sweep frees the parked request.
  const auto start = Clock::now();
  while ((*server)->deferred_count() != 0 && ElapsedMs(start) < 10000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*server)->deferred_count(), 0u);
  EXPECT_EQ(client.Call("GET", base + "/ok").status, 200);
}

// --- Fault injection over HTTP ----------------------------------------------

class SimulatorFaultTest : public SimulatorHttpTest {
 protected:
  void SetUp() override {
    simulator_ = StartSimulator(config_);
    ASSERT_NE(simulator_, nullptr);
  }

  // Adds a fault through POST /__sim/faults and returns its id.
  int64_t AddFault(const std::string& json) {
    Client admin;
    const HttpResult result = admin.Call("POST", simulator_->admin_url() + "/faults", {}, json);
    EXPECT_EQ(result.status, 200) << json << " -> " << result.body;
    const rapidjson::Document doc = ParseJson(result.body);
    return doc.IsObject() && doc.HasMember("id") ? doc["id"].GetInt64() : -1;
  }

  std::string ProfileUrl() const {
    return simulator_->base_url() + "/customer/profile/6111111111" + kQuery;
  }

  // A raw HTTP/1.1 GET of the seeded profile, signed.
  std::string RawProfileRequest() const {
    std::string request = absl::StrCat("GET /ekoapi/v3/customer/profile/6111111111", kQuery,
                                       " HTTP/1.1\r\n", "Host: 127.0.0.1\r\n");
    for (const std::string& header : SignedHeaders(config_)) {
      absl::StrAppend(&request, header, "\r\n");
    }
    return request + "\r\n";
  }

  SimConfig config_;
  std::unique_ptr<Simulator> simulator_;
};

TEST_F(SimulatorFaultTest, RespondSendsStatusHeadersAndRawBody) {
  const int64_t id = AddFault(R"({"path_contains":"/customer/profile/","http_status":429,
      "headers":{"Retry-After":"3"},"body":"{\"status\":429,\"message\":\"Too Many\"}"})");
  Client client;
  // Unsigned: the fault comes before auth.
  HttpResult result = client.Call("GET", ProfileUrl());
  ASSERT_EQ(result.code, CURLE_OK);
  EXPECT_EQ(result.status, 429);
  EXPECT_THAT(result.headers, ::testing::HasSubstr("Retry-After: 3\r\n"));
  EXPECT_THAT(result.headers, ::testing::HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_EQ(result.body, R"({"status":429,"message":"Too Many"})");

  // Non-JSON and syntactically cut JSON bodies are sent as they are, over the
  // same keep-alive connection.
  AddFault(R"({"headers":{"Content-Type":"text/html"},"body":"<html>502 Bad Gateway</html>"})");
  AddFault(R"({"body":"{\"status\":0,\"data\":{\"otp_ref"})");
  result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(result.status, 200);
  EXPECT_THAT(result.headers, ::testing::HasSubstr("Content-Type: text/html\r\n"));
  EXPECT_EQ(result.body, "<html>502 Bad Gateway</html>");
  EXPECT_EQ(result.new_connections, 0);
  result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(result.body, R"({"status":0,"data":{"otp_ref)");
  EXPECT_EQ(result.new_connections, 0);
  // Faults used up: the normal reply is back.
  result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(ParseJson(result.body)["response_type_id"].GetInt(), 2129);

  const rapidjson::Document log = RequestLog(client, *simulator_);
  ASSERT_EQ(log.Size(), 4u);
  EXPECT_EQ(log[0]["fault_id"].GetInt64(), id);
  EXPECT_FALSE(log[0]["auth_ok"].GetBool());
  EXPECT_TRUE(log[3]["fault_id"].IsNull());
}

TEST_F(SimulatorFaultTest, BadFaultIsRejectedOverHttp) {
  Client client;
  HttpResult result = client.Call("POST", simulator_->admin_url() + "/faults", {}, "{nope");
  EXPECT_EQ(result.status, 400);
  EXPECT_THAT(ParseJson(result.body)["error"].GetString(), ::testing::HasSubstr("JSON"));
  AddFault(R"({"action":"stall","times":-1})");
  result = client.Call("GET", simulator_->admin_url() + "/faults");
  EXPECT_EQ(ParseJson(result.body).Size(), 1u);
  result = client.Call("DELETE", simulator_->admin_url() + "/faults");
  EXPECT_EQ(result.body, R"({"cleared":1})");
}

// The peer sees a TCP RST (ECONNRESET), not a FIN (a clean EOF).
TEST_F(SimulatorFaultTest, ResetAbortsTheConnection) {
  AddFault(R"({"action":"reset"})");
  const int fd = Connect(simulator_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, RawProfileRequest()));
  // Let every packet arrive: a FIN sent before the RST would then read as EOF.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  char byte;
  errno = 0;
  const ssize_t n = read(fd, &byte, 1);
  const int read_errno = errno;
  close(fd);
  EXPECT_EQ(n, -1);
  EXPECT_EQ(read_errno, ECONNRESET) << std::strerror(read_errno);

  AddFault(R"({"action":"reset","delay_ms":100})");
  Client client;  // A fresh connection, so curl has nothing to retry on.
  const auto start = Clock::now();
  const HttpResult result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(result.code, CURLE_RECV_ERROR) << curl_easy_strerror(result.code);
  EXPECT_GE(ElapsedMs(start), 90);
  // The request was read and logged before the reset.
  const rapidjson::Document log = RequestLog(client, *simulator_);
  EXPECT_EQ(log.Size(), 2u);
  EXPECT_EQ(client.Call("GET", ProfileUrl(), SignedHeaders(config_)).status, 200);
}

// Headers promise Content-Length N; the first N/2 bytes follow, then a FIN.
TEST_F(SimulatorFaultTest, TruncateCutsTheBodyShort) {
  const std::string body = R"({"status":0,"response_type_id":309,"message":"Success!"})";
  const std::string fault =
      absl::StrCat(R"({"action":"truncate","headers":{"X-Fault":"yes"},"body":")",
                   absl::StrReplaceAll(body, {{"\"", "\\\""}}), R"("})");
  AddFault(fault);
  const int fd = Connect(simulator_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, RawProfileRequest()));
  std::string received;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) received.append(buffer, n);
  const int read_errno = errno;
  close(fd);
  EXPECT_EQ(n, 0) << "not a clean EOF: " << std::strerror(read_errno);
  const size_t header_end = received.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos) << received;
  const std::string head = received.substr(0, header_end + 2);
  EXPECT_TRUE(absl::StartsWith(head, "HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_THAT(head, ::testing::HasSubstr(absl::StrCat("Content-Length: ", body.size(), "\r\n")));
  EXPECT_THAT(head, ::testing::HasSubstr("X-Fault: yes\r\n"));
  EXPECT_THAT(head, ::testing::HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_EQ(received.substr(header_end + 4), body.substr(0, body.size() / 2));

  AddFault(absl::StrCat(R"({"http_status":503,"delay_ms":50,)", fault.substr(1)));
  Client client;
  const HttpResult result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(result.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(result.code);
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.body, body.substr(0, body.size() / 2));
  EXPECT_EQ(client.Call("GET", ProfileUrl(), SignedHeaders(config_)).status, 200);
}

TEST_F(SimulatorFaultTest, StallOutlastsTheClientDeadline) {
  AddFault(R"({"action":"stall","customer_id":"6111111111"})");
  Client client;
  const auto start = Clock::now();
  HttpResult result =
      client.Call("GET", ProfileUrl(), SignedHeaders(config_), "", /*timeout_ms=*/300);
  EXPECT_EQ(result.code, CURLE_OPERATION_TIMEDOUT) << curl_easy_strerror(result.code);
  EXPECT_GE(ElapsedMs(start), 290);
  // Other calls were served meanwhile and afterwards.
  result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(result.status, 200);
}

TEST_F(SimulatorFaultTest, DelayAppliesToRespondAndPass) {
  const int64_t respond = AddFault(R"({"http_status":504,"body":"{}","delay_ms":300})");
  const int64_t pass = AddFault(R"({"action":"pass","delay_ms":300})");
  Client client;
  auto start = Clock::now();
  HttpResult result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(result.status, 504);
  EXPECT_GE(ElapsedMs(start), 290);
  start = Clock::now();
  result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(ParseJson(result.body)["response_type_id"].GetInt(), 2129);
  EXPECT_GE(ElapsedMs(start), 290);
  // Both faults are used up, so nothing delays the third call (the
  // configured latency is 0).
  result = client.Call("GET", ProfileUrl(), SignedHeaders(config_));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(client.Call("GET", simulator_->admin_url() + "/faults").body, "[]");
  const rapidjson::Document log = RequestLog(client, *simulator_);
  ASSERT_EQ(log.Size(), 3u);
  EXPECT_EQ(log[0]["fault_id"].GetInt64(), respond);
  EXPECT_EQ(log[1]["fault_id"].GetInt64(), pass);
  EXPECT_TRUE(log[2]["fault_id"].IsNull());
}

// A stall and a pending reset are released cleanly when the simulator stops.
TEST_F(SimulatorFaultTest, WireFaultsPendingAtShutdownAreReleased) {
  AddFault(R"({"action":"stall"})");
  AddFault(R"({"action":"reset","delay_ms":60000})");
  std::vector<int> fds;
  for (int i = 0; i < 2; ++i) {
    const int fd = Connect(simulator_->port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(WriteAll(fd, RawProfileRequest()));
    fds.push_back(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // Keeps the faults in order.
  }
  simulator_.reset();
  for (int fd : fds) close(fd);
}

// A truncated reply too large for the socket buffers, to a client that reads
// nothing, is still being written when the server stops; it is released.
TEST_F(SimulatorHttpTest, TruncatedReplyStillWritingAtShutdownIsReleased) {
  auto server = HttpServer::Start("127.0.0.1:0", [](const SimRequest&) {
    SimResponse response;
    response.action = ReplyAction::kTruncate;
    response.body = std::string(32 << 20, 'x');  // 16 MiB sent, well past any socket buffer.
    return response;
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const int fd = Connect((*server)->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server->reset();
  close(fd);
}

TEST(SimQueryStringTest, Decodes) {
  const auto params = ParseQueryString("a=1&b=x%20y+z&c&=e&&d=%zz&a=2");
  EXPECT_EQ(params.at("a"), "2");
  EXPECT_EQ(params.at("b"), "x y z");
  EXPECT_EQ(params.at("c"), "");
  EXPECT_EQ(params.at(""), "e");
  EXPECT_EQ(params.at("d"), "%zz");
  EXPECT_EQ(params.size(), 5u);
}

// The eko-sim binary: one stdout line with the URL, exit 0 on SIGTERM.
TEST_F(SimulatorHttpTest, BinaryPrintsUrlAndExitsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(EKO_SIM_BINARY, EKO_SIM_BINARY, "--listen=127.0.0.1:0", "--fixed-otp=000111",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  std::smatch match;
  const std::regex pattern("eko-sim listening on (http://127\\.0\\.0\\.1:([0-9]+)/ekoapi/v3)");
  ASSERT_TRUE(std::regex_match(line, match, pattern)) << line;
  const std::string base_url = match[1];
  const std::string port = match[2];

  SimConfig config;
  Client client;
  HttpResult result =
      client.Call("GET", base_url + "/customer/profile/6111111111" + kQuery, SignedHeaders(config));
  EXPECT_EQ(ParseJson(result.body)["response_type_id"].GetInt(), 2129);
  result = client.Call("GET", "http://127.0.0.1:" + port + "/__sim/otp?customer_id=6111111111");
  EXPECT_STREQ(ParseJson(result.body)["otp"].GetString(), "000111");

  kill(pid, SIGTERM);
  int wait_status = 0;
  ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
  EXPECT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
  // Nothing else was printed on stdout.
  EXPECT_EQ(read(out[0], &c, 1), 0);
  close(out[0]);
}

}  // namespace
}  // namespace eko::sim
