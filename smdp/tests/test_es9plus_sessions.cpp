// ES9+ sessions without unauthenticated state (issue 13, finding 3): initiateAuthentication stores
// nothing, authenticateClient stores the session once the eUICC's signature verified, and the
// transactionId that carries the session until then is refused forged, altered, expired, from
// another SM-DP+'s secret, or used a second time.
#include <filesystem>
#include <set>
#include <type_traits>

#include "es9_fixture.hpp"
#include "store_backends.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

constexpr const char* kSessionIccid = "8949449999999990031";

// Another Es9Plus on `store`, as a second SM-DP+ instance (same PKI, same clock) would be.
std::unique_ptr<Es9Plus> another_instance(Es9Fixture& f, Store& store) {
  Es9Settings settings;
  settings.smdp_address = kAddress;
  settings.now = [&f] { return f.clock; };
  return std::make_unique<Es9Plus>(store, f.identity, settings);
}

// The AuthenticateServerResponse with euiccSigned1's `tag` member XORed with 5A, signed again with
// the card's own key: what only a genuine eUICC could send, for another value.
Bytes with_signed1_member_altered(Es9Fixture& f, const Bytes& response, rsp::tlv::Tag tag) {
  auto choice = rsp::tlv::read(rsp::tlv::read(response)->value).value();
  auto parts = rsp::tlv::read_all(choice.value).value();
  Bytes members;
  for (const auto& member : rsp::tlv::read_all(parts[0].value).value()) {
    Bytes value(member.value.begin(), member.value.end());
    if (member.tag == tag)
      for (auto& b : value) b ^= 0x5A;
    members = rsp::concat({members, encode(member.tag, value)});
  }
  Bytes signed1 = encode(0x30, members);
  auto key = rsp::pki::load_key(f.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::euicc).value();
  return encode(0xBF38, encode(0xA0, rsp::concat({signed1, encode(0x5F37, rsp::crypto::sign(key, signed1)),
                                                  parts[2].whole, parts[3].whole})));
}

template <class Backend>
int64_t session_rows(const std::string& url) {
  return Backend::count(url, "SELECT COUNT(*) FROM sessions");
}

// What the sessions take on disk: the SQLite file with its write-ahead log, or PostgreSQL's table
// with its indexes and TOAST.
template <class Backend>
int64_t session_bytes(const std::string& url) {
  if constexpr (std::is_same_v<Backend, SqliteBackend>) {
    int64_t total = 0;
    for (const char* suffix : {"", "-wal"})
      if (std::filesystem::path file = url.substr(7) + suffix; std::filesystem::exists(file))
        total += static_cast<int64_t>(std::filesystem::file_size(file));
    return total;
  } else {
    return Backend::count(url, "SELECT pg_total_relation_size('sessions')");
  }
}

}  // namespace

TEMPLATE_TEST_CASE("ES9+: 10,000 initiateAuthentication calls leave the session table and the database as they were",
                   "[es9][store]", SqliteBackend, PostgresBackend) {
  const std::string url = TestType::fresh_url();
  Es9Fixture f(rsp::crypto::Curve::nist_p256, url);
  f.add_profile(kSessionIccid, "MATCH-1");
  Bytes info1 = f.es10(rsp::test::hex("BF2000"));
  REQUIRE(f.es9->initiate_authentication({Bytes(16, 0x01), info1, kAddress}));  // the first call reads the secret
  const int64_t rows_before = session_rows<TestType>(url);
  const int64_t bytes_before = session_bytes<TestType>(url);

  constexpr int kCalls = 10000;
  std::set<std::string> transaction_ids;
  for (int i = 0; i < kCalls; ++i) {
    auto answer = f.es9->initiate_authentication({rsp::random_bytes(16), info1, kAddress});
    if (!answer) FAIL(answer.error().message);
    transaction_ids.insert(answer->transaction_id);
  }
  CHECK(transaction_ids.size() == size_t{kCalls});
  CHECK(session_rows<TestType>(url) == rows_before);
  CHECK(rows_before == 0);
  CHECK(session_bytes<TestType>(url) == bytes_before);

  // A session that authenticates is stored, and downloads.
  Download d(f);
  CHECK(f.es9->handle_notification(d.run("MATCH-1")).ok());
  CHECK(f.profile(kSessionIccid).state == ProfileState::installed);
  CHECK(session_rows<TestType>(url) == 1);
}

TEST_CASE(
    "ES9+ authenticateClient refuses a transactionId it did not issue, altered or expired, and an altered serverChallenge",
    "[es9]") {
  Es9Fixture f;
  f.add_profile(kSessionIccid, "MATCH-1");
  Download d(f);
  REQUIRE(d.initiate());
  Bytes response = d.authenticate_server("MATCH-1");
  const Bytes issued = rsp::from_hex(d.initiated.transaction_id).value();
  REQUIRE(issued.size() == 16);

  SECTION("forged: random bytes, shorter, or one bit changed anywhere") {
    check_refused(f.es9->authenticate_client({rsp::to_hex(rsp::random_bytes(16)), response}), "8.10.1", "3.9");
    check_refused(f.es9->authenticate_client({rsp::to_hex(Bytes(issued.begin(), issued.begin() + 15)), response}),
                  "8.10.1", "3.9");
    for (size_t i = 0; i < issued.size(); ++i) {
      Bytes altered = issued;
      altered[i] ^= static_cast<uint8_t>(1u << (i % 8));
      INFO("byte " << i);
      check_refused(f.es9->authenticate_client({rsp::to_hex(altered), response}), "8.10.1", "3.9");
    }
    CHECK_FALSE(f.store->session(d.initiated.transaction_id).value());
    CHECK(d.authenticate_client(response));  // the genuine one still goes through
  }
  SECTION("issued by another SM-DP+ (another store's secret)") {
    auto other_store = open_store("sqlite:" + (f.dir.path() / "other.db").string()).value();
    auto other = another_instance(f, *other_store);
    ProfileRecord order = released_order(kSessionIccid, "MATCH-1", f.clock + 86400);
    REQUIRE(other_store->add_profile(order));
    Bytes challenge_response = f.es10(rsp::test::hex("BF2E00"));
    auto challenge = find(rsp::tlv::read(challenge_response)->value, 0x80).value();
    auto initiated = other->initiate_authentication(
        {Bytes(challenge.value.begin(), challenge.value.end()), f.es10(rsp::test::hex("BF2000")), kAddress});
    REQUIRE(initiated);
    Download elsewhere(f);
    elsewhere.initiated = *initiated;
    Bytes signed_elsewhere = elsewhere.authenticate_server("MATCH-1");
    check_refused(f.es9->authenticate_client({initiated->transaction_id, signed_elsewhere}), "8.10.1", "3.9");
    CHECK(
        other->authenticate_client({initiated->transaction_id, signed_elsewhere}));  // where it was issued, it is good
  }
  SECTION("expired: at the session lifetime, not a second before") {
    f.clock += f.es9->settings().session_lifetime;
    check_refused(d.authenticate_client(response), "8.10.1", "3.9");
    f.clock -= 1;
    CHECK(d.authenticate_client(response));
  }
  SECTION("serverChallenge or transactionId altered in euiccSigned1, signed again by the eUICC") {
    check_refused(d.authenticate_client(with_signed1_member_altered(f, response, 0x84)), "8.1", "6.1");
    check_refused(d.authenticate_client(with_signed1_member_altered(f, response, 0x80)), "8.10.1", "3.9");
    CHECK_FALSE(f.store->session(d.initiated.transaction_id).value());  // nothing stored for either
    CHECK(d.authenticate_client(response));
  }
}

TEST_CASE("ES9+ authenticateClient replayed is refused, even after a refusal and at another instance", "[es9]") {
  Es9Fixture f;
  f.add_profile(kSessionIccid, "MATCH-1");

  SECTION("after success") {
    Download d(f);
    REQUIRE(d.initiate());
    Bytes response = d.authenticate_server("MATCH-1");
    REQUIRE(d.authenticate_client(response));
    check_refused(d.authenticate_client(response), "8.10.1", "3.9");
    auto second_instance = another_instance(f, *f.store);
    check_refused(second_instance->authenticate_client({d.initiated.transaction_id, response}), "8.10.1", "3.9");
    CHECK(f.store->session(d.initiated.transaction_id).value()->state == SessionState::authenticated);
  }
  SECTION("after the order was refused: the operator hears of it once") {
    Download d(f);
    REQUIRE(d.initiate());
    auto p = f.profile(kSessionIccid);
    p.eid = "89049032123451234512345678901235";
    REQUIRE(f.store->update_profile(p).value());
    Bytes response = d.authenticate_server("MATCH-1");
    check_refused(d.authenticate_client(response), "8.1.1", "3.8");
    const size_t reports = f.progress.size();
    check_refused(d.authenticate_client(response), "8.10.1", "3.9");
    CHECK(f.progress.size() == reports);
  }
}

TEST_CASE("ES9+ cancelSession before authenticateClient: acknowledged and nothing stored, altered or expired refused",
          "[es9]") {
  Es9Fixture f;
  f.add_profile(kSessionIccid, "MATCH-1");
  Download d(f);
  REQUIRE(d.initiate());
  Bytes response = d.authenticate_server("MATCH-1");  // the card's session is open: it signs CancelSession
  const Bytes issued = rsp::from_hex(d.initiated.transaction_id).value();
  Bytes cancelled =
      Es9Fixture::es10(*f.card, encode(0xBF41, rsp::concat({encode(0x80, issued), encode(0x81, Bytes{1})})));

  SECTION("a transactionId we issued") {
    CHECK(f.es9->cancel_session({d.initiated.transaction_id, cancelled}).ok());
    CHECK_FALSE(f.store->session(d.initiated.transaction_id).value());
    CHECK(f.profile(kSessionIccid).state == ProfileState::released);
    CHECK_FALSE(f.profile(kSessionIccid).transaction_id);
  }
  SECTION("altered, expired, or another transactionId inside the eUICC's message") {
    Bytes altered = issued;
    altered[3] ^= 0x10;
    check_status(f.es9->cancel_session({rsp::to_hex(altered), cancelled}), "8.10.1", "3.9");
    Download other(f);
    REQUIRE(other.initiate());
    check_status(f.es9->cancel_session({other.initiated.transaction_id, cancelled}), "8.10.1", "3.9");
    f.clock += f.es9->settings().session_lifetime;
    check_status(f.es9->cancel_session({d.initiated.transaction_id, cancelled}), "8.10.1", "3.9");
  }
  SECTION("a session that ended stays ended") {
    Download done(f);
    CHECK(f.es9->handle_notification(done.run("MATCH-1")).ok());
    // The card has no session left to sign with: its key signs as it would have.
    auto key = rsp::pki::load_key(f.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::euicc).value();
    Bytes signed_part =
        encode(0x30, rsp::concat({encode(0x80, rsp::from_hex(done.initiated.transaction_id).value()),
                                  encode(0x81, f.identity.credentials[0].dp_auth.registered_id_der().value()),
                                  encode(0x82, Bytes{1})}));
    Bytes late =
        encode(0xBF41, encode(0xA0, rsp::concat({signed_part, encode(0x5F37, rsp::crypto::sign(key, signed_part))})));
    check_status(f.es9->cancel_session({done.initiated.transaction_id, late}), "8.10.1", "3.9");
    CHECK(f.store->session(done.initiated.transaction_id).value()->state == SessionState::finished);
  }
}
