// ES2+ callbacks over real HTTPS on loopback: the operator's server sees the binding's headers and
// the queued JSON; a 500 is retried, a 204 ends it.
#include <catch2/catch.hpp>

#include <mutex>

#include "es2_fixture.hpp"
#include "http/http_fixture.hpp"
#include "smdp/callback_https.hpp"
#include "smdp/download_progress_info.hpp"

using namespace smdp;
using namespace smdp::test;

TEST_CASE("callbacks reach the operator's HTTPS server with the ES2+ headers, retried after a 500",
          "[es2][callback][https]") {
  rsp::test::TestPki pki;
  std::mutex mutex;
  std::vector<rsp::http::Request> received;
  auto server = rsp::test::serve(rsp::test::tls_listener(pki, [&](const rsp::http::Request& request) {
    std::lock_guard lock(mutex);
    received.push_back(request);
    rsp::http::Response response;
    response.status = received.size() == 1 ? 500 : 204;
    return response;
  }));
  const std::string url = rsp::test::url("localhost", server->port(0), "/gsma/rsp2/es2plus/handleDownloadProgressInfo");

  Es2Fixture f;
  ProfileRecord profile = f.add_profile("8900000000000000101", "op-a");
  DownloadProgressReporter reporter(*f.store, {{"op-a", url}}, kSmdpAddress, [&f] { return f.now; });
  REQUIRE(reporter.report(profile, 3, FunctionStatus::success()).value());
  const std::string body = f.store->due_callbacks(f.now, 1).value().at(0).body;

  std::vector<std::string> log;
  CallbackRetryPolicy policy;
  policy.first_delay = 5;
  CallbackSender sender(
      *f.store,
      https_callback_transport(rsp::test::client_trusting(pki.ci()),
                               [&log](const std::string& line) { log.push_back(line); }),
      [&f] { return f.now; }, policy);
  CHECK(sender.deliver_due().value() == 0);
  CHECK(log == std::vector<std::string>{"ES2+ handleDownloadProgressInfo to " + url + ": HTTP 500"});
  f.now += 5;
  CHECK(sender.deliver_due().value() == 1);

  std::lock_guard lock(mutex);
  REQUIRE(received.size() == 2);
  for (const auto& request : received) {
    CHECK(request.method == "POST");
    CHECK(request.target == "/gsma/rsp2/es2plus/handleDownloadProgressInfo");
    CHECK(request.headers.get("content-type") == "application/json;charset=UTF-8");
    CHECK(request.headers.get("x-admin-protocol") == "gsma/rsp/v2.5.0");
    CHECK(request.body == body);
  }
}

TEST_CASE("an operator server the SM-DP+ does not trust gets nothing, and the callback stays queued",
          "[es2][callback][https]") {
  rsp::test::TestPki pki, other;
  int calls = 0;
  auto server = rsp::test::serve(rsp::test::tls_listener(pki, [&](const rsp::http::Request&) {
    ++calls;
    return rsp::http::Response{204, {}, ""};
  }));
  Es2Fixture f;
  ProfileRecord profile = f.add_profile("8900000000000000101", "op-a");
  DownloadProgressReporter reporter(*f.store, {{"op-a", rsp::test::url("localhost", server->port(0))}}, kSmdpAddress,
                                    [&f] { return f.now; });
  REQUIRE(reporter.report(profile, 3, FunctionStatus::success()).value());
  CallbackSender sender(*f.store, https_callback_transport(rsp::test::client_trusting(other.ci())),
                        [&f] { return f.now; });
  CHECK(sender.deliver_due().value() == 0);
  CHECK(calls == 0);
  CHECK(f.store->due_callbacks(f.now + 3600, 10).value().size() == 1);
}
