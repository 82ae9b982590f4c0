// Two `smdp serve` processes on one PostgreSQL database serve one fleet, as behind a load balancer
// that sends each request wherever it likes: a download whose ES9+ calls alternate between the
// instances completes, and two devices racing for one matchingId on different instances never both
// get the profile (SGP.22 v2.5 §5.6.2: the loser is refused). Skipped (77) without PostgreSQL.
#include <catch2/catch.hpp>

#include <barrier>
#include <iostream>
#include <thread>

#include "es9_fixture.hpp"
#include "es9_http_lpa.hpp"
#include "http/http_fixture.hpp"
#include "postgres_harness.hpp"
#include "rsp/eid.hpp"
#include "rsp/iccid.hpp"
#include "support/child_process.hpp"

namespace {

using namespace smdp;
using namespace smdp::test;
using rsp::crypto::Curve;
using rsp::crypto::Role;
namespace fs = std::filesystem;

constexpr Curve kCurve = Curve::nist_p256;

// One PKI (dp-tls for localhost), one new database, two SM-DP+ processes with an ES9+ port each,
// and the operator's view of the database (orders go in, states come back).
struct TwoInstances {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  rsp::crypto::Certificate ci = make_pki(pki);
  std::string database;
  std::optional<rsp::test::ChildProcess> a, b;
  std::string es9_a, es9_b;
  std::unique_ptr<Store> store;

  // A test PKI with dp-tls for localhost; its CI, which the devices trust for TLS.
  static rsp::crypto::Certificate make_pki(const fs::path& dir) {
    REQUIRE(rsp::pki::make(dir, rsp::pki::MakeOptions{}));
    return rsp::pki::load_certificate(dir, kCurve, Role::ci).value();
  }

  TwoInstances() {
    database = shared_postgres().create_database();
    // Both start at once on the empty database: each runs the migrations it finds missing.
    for (auto* instance : {&a, &b})
      instance->emplace(
          "smdp", dir.path(),
          std::vector<std::string>{"serve", "--pki", pki.string(), "--db", database, "--es9-listen", "127.0.0.1:0"});
    es9_a = es9_url(*a);
    es9_b = es9_url(*b);
    REQUIRE(es9_a != es9_b);
    auto opened = open_store(database);
    if (!opened) FAIL("the database: " + opened.error().message);
    store = std::move(*opened);
  }

  static std::string es9_url(rsp::test::ChildProcess& instance) {
    return "https://localhost:" + instance.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)") +
           "/gsma/rsp2/es9plus/";
  }

  // A released order on a new profile for whichever eUICC comes first with `matching_id` (no EID).
  void order(const std::string& iccid, const std::string& matching_id) {
    ProfileRecord p = released_order(iccid, matching_id, time(nullptr) + 3600);
    REQUIRE(store->add_profile(p));
  }
  ProfileRecord profile(const std::string& iccid) { return store->profile(iccid).value().value(); }

  // A software eUICC with the PKI's credentials, or with a certificate of its own for `eid`
  // under the same EUM (a second device of the fleet).
  std::unique_ptr<euicc::Euicc> card(const std::string& name, std::optional<std::string> eid = {}) {
    fs::path card_pki = pki;
    if (eid) {
      card_pki = dir.path() / (name + "-pki");
      fs::copy(pki, card_pki, fs::copy_options::recursive);
      auto eum = rsp::pki::load_certificate(pki, kCurve, Role::eum).value();
      auto key = rsp::crypto::PrivateKey::generate(kCurve);
      rsp::pki::CertificateRequest r;
      r.role = Role::euicc;
      r.subject = {{"O", *eum.subject_organization()}, {"serialNumber", *eid}, {"CN", name}};
      r.not_before = time(nullptr) - 86400;
      auto cert = rsp::pki::issue(r, key, &eum, rsp::pki::load_key(pki, kCurve, Role::eum).value()).value();
      REQUIRE(rsp::pki::store(card_pki, kCurve, Role::euicc, cert, &key));
    }
    euicc::Options options;
    options.state_dir = dir.path() / name;
    options.pki_dir = card_pki;
    auto opened = euicc::Euicc::open(options);
    if (!opened) FAIL("the card does not open: " + opened.error().message);
    return std::move(*opened);
  }
};

bool installed_on_card(euicc::Euicc& card, const std::string& iccid) {
  auto list = card.isdr().store_data(rsp::Bytes{0xBF, 0x2D, 0x00});
  REQUIRE(list);
  auto wanted = rsp::iccid::to_bytes(iccid).value();
  return std::search(list->begin(), list->end(), wanted.begin(), wanted.end()) != list->end();
}

}  // namespace

TEST_CASE("two smdp instances on one PostgreSQL: a download alternating between them completes",
          "[smdp][process][postgres]") {
  TwoInstances fleet;
  const std::string iccid = "8949449999999991001";
  fleet.order(iccid, "ALTERNATE-1");
  auto card = fleet.card("card");
  auto device = rsp::test::client_trusting(fleet.ci);
  Es9HttpLpa lpa(device, *card, "localhost");

  auto initiated = lpa.initiate_authentication(fleet.es9_a);
  REQUIRE(initiated);
  REQUIRE(status_of(*initiated) == "Executed-Success");
  const std::string transaction_id = lpa.transaction_id();
  auto downloaded =
      lpa.finish_download(fleet.es9_b, fleet.es9_a, "ALTERNATE-1");  // authenticateClient on B, the package from A
  INFO(downloaded.failure);
  REQUIRE(downloaded.failure.empty());
  CHECK(fleet.profile(iccid).state == ProfileState::downloaded);
  REQUIRE(lpa.handle_notification(fleet.es9_b, downloaded.installation_result));

  CHECK(installed_on_card(*card, iccid));
  auto p = fleet.profile(iccid);
  CHECK(p.state == ProfileState::installed);
  CHECK(p.eid == card->eid());
  CHECK(p.transaction_id == transaction_id);
  // Each call was served where it was sent: the instances' logs say so.
  fleet.a->wait_for("function=initiateAuthentication transactionId=" + transaction_id + " outcome=Executed-Success");
  fleet.b->wait_for("function=authenticateClient transactionId=" + transaction_id + " outcome=Executed-Success");
  fleet.a->wait_for("function=getBoundProfilePackage transactionId=" + transaction_id + " outcome=Executed-Success");
  fleet.b->wait_for("function=handleNotification transactionId=" + transaction_id + " outcome=Executed-Success");
  CHECK(fleet.a->output().find("function=authenticateClient") == std::string::npos);
  CHECK(fleet.b->output().find("function=getBoundProfilePackage") == std::string::npos);
}

TEST_CASE("two smdp instances on one PostgreSQL: two devices racing for one matchingId never both get the profile",
          "[smdp][process][postgres]") {
  // At most a card's capacity (max_profiles, 8): under load one device may win every order.
  constexpr int kOrders = 8;
  TwoInstances fleet;
  std::unique_ptr<euicc::Euicc> cards[2] = {
      fleet.card("card-1"), fleet.card("card-2", rsp::eid::complete("890490320000000000000000000000").value())};
  REQUIRE(cards[0]->eid() != cards[1]->eid());
  auto iccid = [](int order) { return "89494499999999920" + std::to_string(10 + order); };
  auto matching_id = [](int order) { return "RACE-" + std::to_string(order); };
  for (int order = 0; order < kOrders; ++order) fleet.order(iccid(order), matching_id(order));

  // Each device on its own thread and its own instance (they swap every order); both open their
  // session, wait for each other, then ask for the order at the same moment. No Catch assertions
  // on these threads: what happened is kept and checked afterwards.
  struct Round {
    Es9HttpLpa::Outcome outcome;
    std::string notified;  // why handleNotification failed, if it did
  };
  Round rounds[2][kOrders];
  std::barrier both_ready(2);
  auto device = [&](int who) {
    auto client = rsp::test::client_trusting(fleet.ci);
    Es9HttpLpa lpa(client, *cards[who], "localhost");
    for (int order = 0; order < kOrders; ++order) {
      const std::string& es9 = (order + who) % 2 ? fleet.es9_b : fleet.es9_a;
      Round& round = rounds[who][order];
      auto initiated = lpa.initiate_authentication(es9);
      bool ready = initiated && status_of(*initiated) == "Executed-Success";
      both_ready.arrive_and_wait();
      if (!ready) {
        round.outcome.failure =
            "initiateAuthentication: " + (initiated ? initiated->dump() : initiated.error().message);
        continue;
      }
      round.outcome = lpa.finish_download(es9, es9, matching_id(order));
      if (!round.outcome.installation_result.empty())
        if (auto notified = lpa.handle_notification(es9, round.outcome.installation_result); !notified)
          round.notified = notified.error().message;
    }
  };
  std::jthread first(device, 0), second(device, 1);
  first.join();
  second.join();

  int wins[2] = {0, 0};
  for (int order = 0; order < kOrders; ++order) {
    INFO("order " << order << ": device 1 " << rounds[0][order].outcome.failure << " | device 2 "
                  << rounds[1][order].outcome.failure);
    const bool got[2] = {!rounds[0][order].outcome.installation_result.empty(),
                         !rounds[1][order].outcome.installation_result.empty()};
    REQUIRE(got[0] != got[1]);  // exactly one Bound Profile Package
    const int winner = got[0] ? 0 : 1, loser = 1 - winner;
    INFO("the winner's installation result: " << rsp::to_hex(rounds[winner][order].outcome.installation_result));
    ++wins[winner];
    // The loser is told the order is another eUICC's: at authenticateClient (8.1.1/3.8), or at
    // getBoundProfilePackage if it had the order first and lost it (8.2/3.7).
    const std::string& codes = rounds[loser][order].outcome.codes;
    CHECK((codes == "8.1.1/3.8" || codes == "8.2/3.7"));
    CHECK(rounds[winner][order].notified.empty());
    auto p = fleet.profile(iccid(order));
    CHECK(p.state == ProfileState::installed);
    CHECK(p.eid == cards[winner]->eid());
    CHECK(installed_on_card(*cards[winner], iccid(order)));
    CHECK_FALSE(installed_on_card(*cards[loser], iccid(order)));
  }
  std::cout << "orders won: device 1 " << wins[0] << ", device 2 " << wins[1] << std::endl;
}
