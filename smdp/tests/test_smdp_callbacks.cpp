// ES2+ callbacks end to end: `smdp serve` with an operator callback URL pointing at an HTTPS
// receiver started here (rsp_http's server under a PKI of its own, trusted through
// --callback-trusted-ca); after an ES2+ order and the full download, the receiver gets
// HandleDownloadProgressInfo for notification points 1, 3 and 4 (SGP.22 v2.5 §5.3.5, §6.5.2.5),
// delivered by the SM-DP+'s background sender.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include "es9_http_lpa.hpp"
#include "smdp_process_fixture.hpp"
#include "support/child_process.hpp"

namespace {

using nlohmann::json;

// The operator's server: records every HandleDownloadProgressInfo body, answers 204.
struct CallbackReceiver {
  rsp::test::TestPki pki{"localhost"};
  std::mutex mutex;
  std::vector<json> calls;
  std::vector<std::string> refusals;  // what arrived that was not a well-formed call
  std::unique_ptr<rsp::http::Server> server;

  CallbackReceiver() {
    server = rsp::test::serve(rsp::test::tls_listener(pki, [this](const rsp::http::Request& request) {
      std::lock_guard lock(mutex);
      auto body = json::parse(request.body, nullptr, false);
      if (request.method != "POST" || request.target != "/gsma/rsp2/es2plus/handleDownloadProgressInfo" ||
          body.is_discarded() || request.headers.get("X-Admin-Protocol").value_or("").rfind("gsma/rsp/v2.", 0) != 0)
        refusals.push_back(request.method + " " + request.target + " " + request.body);
      else
        calls.push_back(std::move(body));
      return rsp::http::Response{204, {}, ""};
    }));
  }
  std::string url() const {
    return rsp::test::url("localhost", server->port(0), "/gsma/rsp2/es2plus/handleDownloadProgressInfo");
  }

  // Waits (bounded) until calls for every point in `points` have arrived; the calls so far.
  std::vector<json> wait_for_points(const std::vector<int>& points, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      {
        std::lock_guard lock(mutex);
        bool all = true;
        for (int p : points)
          all = all && std::any_of(calls.begin(), calls.end(),
                                   [p](const json& c) { return c.value("notificationPointId", 0) == p; });
        if (all || std::chrono::steady_clock::now() > deadline) return calls;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

const json* call_for(const std::vector<json>& calls, int point) {
  for (const auto& c : calls)
    if (c.value("notificationPointId", 0) == point) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("smdp serve: HandleDownloadProgressInfo reaches the operator's server during a download", "[smdp][process]") {
  CallbackReceiver receiver;
  smdp::test::SmdpProcessSetup setup("8949449999999990056", "001010000000056");
  rsp::test::ChildProcess smdp(
      "smdp", setup.dir.path(),
      setup.serve_args({"--es9-listen", "127.0.0.1:0", "--es2-listen", "127.0.0.1:0", "--operator-callback",
                        "operator-a=" + receiver.url(), "--callback-trusted-ca", receiver.pki.ci_pem().string()}));
  std::string es9 =
      "https://localhost:" + smdp.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)") + "/gsma/rsp2/es9plus/";
  std::string es2 = "https://localhost:" + smdp.wait_for("ES2\\+ on port (\\d+)") + "/gsma/rsp2/es2plus/";
  std::string matching_id = smdp::test::order_and_release(setup.operator_client(), es2, setup.iccid);

  euicc::Options card_options;
  card_options.state_dir = setup.dir.path() / "card";
  card_options.pki_dir = setup.pki;
  auto card = euicc::Euicc::open(card_options).value();
  std::string eid = card->eid();
  auto device = rsp::test::client_trusting(setup.ci());
  smdp::test::Es9HttpLpa lpa(device, *card, "localhost");
  auto initiated = lpa.initiate_authentication(es9);
  REQUIRE(initiated);
  REQUIRE(smdp::test::status_of(*initiated) == "Executed-Success");
  auto downloaded = lpa.finish_download(es9, es9, matching_id);
  INFO(downloaded.failure);
  REQUIRE(downloaded.failure.empty());
  REQUIRE(lpa.handle_notification(es9, downloaded.installation_result));

  // The sender runs every ~2 s; a few rounds at most.
  auto calls = receiver.wait_for_points({1, 3, 4}, std::chrono::seconds(20));
  INFO(json(calls).dump(1) + "\nsmdp said:\n" + smdp.output());
  {
    std::lock_guard lock(receiver.mutex);
    CHECK(receiver.refusals.empty());
  }
  for (int point : {1, 3, 4}) {
    const json* c = call_for(calls, point);
    REQUIRE(c);
    CHECK((*c)["iccid"] == setup.iccid);
    CHECK((*c)["profileType"] == "test");
    CHECK((*c)["eid"] == eid);
    CHECK((*c)["notificationPointStatus"]["status"] == "Executed-Success");
    CHECK((*c)["header"]["functionRequesterIdentifier"] == "localhost");
    CHECK_FALSE((*c)["header"].value("functionCallIdentifier", "").empty());
    std::string timestamp = c->value("timestamp", "");
    CHECK(timestamp.size() == 20);
    CHECK(timestamp.back() == 'Z');
  }
  // Point 4 carries the eUICC's ProfileInstallationResult as it was sent.
  CHECK(rsp::from_base64((*call_for(calls, 4))["resultData"].get<std::string>()) == downloaded.installation_result);
  CHECK_FALSE(call_for(calls, 1)->contains("resultData"));
  CHECK(calls.size() == 3);  // each point once: delivered calls leave the outbox
  CHECK(smdp.stop(SIGTERM) == 0);
}
