// ES2+.HandleDownloadProgressInfo (SGP.22 v2.5 §5.3.5 / §6.5.2.5): the body queued in the store's
// outbox for operators with a callback URL, and its delivery by CallbackSender with retries,
// backoff and a limit.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "es2_fixture.hpp"
#include "smdp/callback_sender.hpp"
#include "smdp/download_progress_info.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

const std::string kUrl = "https://mno.example.com/gsma/rsp2/es2plus/handleDownloadProgressInfo";

struct CallbackFixture : Es2Fixture {
  DownloadProgressReporter reporter{
      *store, {{"op-a", kUrl}, {"op-quiet", std::nullopt}}, "smdp.example.com", [this] { return now; }};
  ProfileRecord profile = add_profile(kIccid, "op-a", "Test");

  std::vector<CallbackRecord> due() { return store->due_callbacks(now, 100).value(); }
};

}  // namespace

TEST_CASE("w3c timestamps are UTC with seconds and Z", "[es2][callback]") {
  CHECK(w3c_timestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(w3c_timestamp(1'714'566'896) == "2024-05-01T12:34:56Z");
}

TEST_CASE("a BPP installation result is queued with the spec's fields for the operator's URL", "[es2][callback]") {
  CallbackFixture f;
  f.now = 1'714'566'896;
  f.profile.eid = kEid;
  const rsp::Bytes result = {0xBF, 0x37, 0x00};
  REQUIRE(f.reporter.report(f.profile, 4, FunctionStatus::success(), result).value());

  auto queued = f.due();
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].operator_id == "op-a");
  CHECK(queued[0].url == kUrl);
  CHECK(queued[0].attempts == 0);
  json body = json::parse(queued[0].body);
  const std::string call_id = body["header"]["functionCallIdentifier"];
  CHECK(call_id.rfind("FCI-1714566896-", 0) == 0);
  CHECK(body == json::parse(R"({
      "header": {"functionRequesterIdentifier": "smdp.example.com", "functionCallIdentifier": ")" +
                            call_id + R"("},
      "eid": "89049032123451234512345678901235", "iccid": "8900000000000000101", "profileType": "Test",
      "timestamp": "2024-05-01T12:34:56Z", "notificationPointId": 4,
      "notificationPointStatus": {"status": "Executed-Success"}, "resultData": "vzcA"})"));
}

TEST_CASE("a failed eligibility check is queued with its status codes, without eid or resultData when unknown",
          "[es2][callback]") {
  CallbackFixture f;
  REQUIRE(
      f.reporter.report(f.profile, 1, FunctionStatus::failure("8.1.1", "3.8", "EID doesn't match the expected value"))
          .value());
  json body = json::parse(f.due().at(0).body);
  CHECK_FALSE(body.contains("eid"));
  CHECK_FALSE(body.contains("resultData"));
  CHECK(body["notificationPointId"] == 1);
  CHECK(body["notificationPointStatus"] == json::parse(R"({"status": "Failed", "statusCodeData":
      {"subjectCode": "8.1.1", "reasonCode": "3.8", "message": "EID doesn't match the expected value"}})"));
}

TEST_CASE("operators without a callback URL get nothing queued", "[es2][callback]") {
  CallbackFixture f;
  ProfileRecord quiet = f.add_profile("8900000000000000102", "op-quiet");
  ProfileRecord unknown = f.add_profile("8900000000000000103", "op-unconfigured");
  CHECK_FALSE(f.reporter.report(quiet, 3, FunctionStatus::success()).value());
  CHECK_FALSE(f.reporter.report(unknown, 3, FunctionStatus::success()).value());
  CHECK(f.due().empty());
}

TEST_CASE("the sender retries a failing operator with growing delays, then delivers once", "[es2][callback]") {
  CallbackFixture f;
  REQUIRE(f.reporter.report(f.profile, 3, FunctionStatus::success()).value());
  const std::string queued_body = f.due().at(0).body;

  int calls = 0;
  std::vector<std::pair<std::string, std::string>> delivered;
  auto send = [&](const std::string& url, const std::string& body) {
    ++calls;
    if (calls == 1) return false;                                    // operator answers 500
    if (calls == 2) throw std::runtime_error("connection refused");  // transport error
    delivered.emplace_back(url, body);
    return true;
  };
  CallbackRetryPolicy policy;
  policy.first_delay = 10;
  policy.max_delay = 15;
  CallbackSender sender(
      *f.store, send, [&f] { return f.now; }, policy);
  CHECK(sender.backoff(1) == 10);
  CHECK(sender.backoff(2) == 15);  // 20, capped

  CHECK(sender.deliver_due().value() == 0);
  REQUIRE(f.store->due_callbacks(f.now + 100, 10).value().size() == 1);
  CHECK(f.store->due_callbacks(f.now + 100, 10).value()[0].attempts == 1);
  CHECK(sender.deliver_due().value() == 0);  // not due yet: nothing sent
  CHECK(calls == 1);

  f.now += 10;
  CHECK(sender.deliver_due().value() == 0);  // the throw counts as a failed attempt
  CHECK(calls == 2);
  f.now += 14;
  CHECK(sender.deliver_due().value() == 0);
  CHECK(calls == 2);
  f.now += 1;
  CHECK(sender.deliver_due().value() == 1);
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0] == std::make_pair(kUrl, queued_body));

  f.now += 1000;
  CHECK(sender.deliver_due().value() == 0);
  CHECK(calls == 3);
  CHECK(f.store->due_callbacks(f.now + 100000, 10).value().empty());
}

TEST_CASE("the sender drops a callback after the last allowed attempt and says so", "[es2][callback]") {
  CallbackFixture f;
  REQUIRE(f.reporter.report(f.profile, 3, FunctionStatus::success()).value());
  CallbackRetryPolicy policy;
  policy.max_attempts = 3;
  policy.first_delay = 1;
  std::vector<std::string> log;
  int calls = 0;
  CallbackSender sender(
      *f.store, [&](const std::string&, const std::string&) { return ++calls, false; }, [&f] { return f.now; }, policy,
      [&log](const std::string& line) { log.push_back(line); });
  for (int i = 0; i < 10; ++i, f.now += 100) REQUIRE(sender.deliver_due());
  CHECK(calls == 3);
  CHECK(f.store->due_callbacks(f.now, 10).value().empty());
  CHECK(log == std::vector<std::string>{"ES2+ handleDownloadProgressInfo to operator op-a dropped after 3 attempts"});
}

TEST_CASE("the sender's loop delivers in the background and stops when asked", "[es2][callback]") {
  CallbackFixture f;
  REQUIRE(f.reporter.report(f.profile, 3, FunctionStatus::success()).value());
  std::atomic<int> sent{0};
  CallbackSender sender(
      *f.store, [&](const std::string&, const std::string&) { return ++sent, true; }, system_clock_seconds);
  {
    std::jthread loop([&sender](std::stop_token stop) { sender.run(stop, std::chrono::milliseconds(20)); });
    for (int i = 0; i < 200 && sent == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }  // the jthread asks to stop and joins
  CHECK(sent == 1);
}
