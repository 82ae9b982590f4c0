// Hostile input through every ES9+ function: mutated versions of the valid messages of one
// download (bit flips, truncations, a constructed length made indefinite with 00 00 appended as
// BER allows, a primitive made constructed, random bytes), seeded, directly and through both
// bindings (JSON §6.5, ASN.1 §6.6). Every case must come back as a refusal (a Failed status, the
// error alternative, or 400 for a body naming no function), never as an exception, and leave the
// session, the order and the operator's progress reports as they were; the valid message sent
// afterwards still works.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <random>

#include "es9_fixture.hpp"
#include "smdp/es9plus_asn1.hpp"
#include "smdp/es9plus_json.hpp"

using namespace smdp;
using namespace smdp::test;
using nlohmann::json;
using rsp::tlv::Tag;

namespace {

constexpr unsigned kSeed = 20240611;
constexpr int kCasesPerFunction = 240;  // each through three paths

// Rebuilds a sequence of TLVs, changing the node numbered `target` (pre-order) by `change`;
// `count` ends as the number of nodes. Contents that do not read as TLVs are copied as they are.
enum class Change { none, indefinite, constructed };
Bytes rebuild(rsp::ByteView in, int& count, int target, Change change) {
  auto all = rsp::tlv::read_all(in);
  if (!all) return Bytes(in.begin(), in.end());
  Bytes out;
  for (const auto& t : *all) {
    int me = count++;
    Bytes content = t.constructed() ? rebuild(t.value, count, target, change) : Bytes(t.value.begin(), t.value.end());
    Bytes tag = rsp::tlv::encode_tag(t.tag);
    if (me == target && change == Change::indefinite) {
      out.insert(out.end(), tag.begin(), tag.end());
      out.push_back(0x80);
      out.insert(out.end(), content.begin(), content.end());
      out.insert(out.end(), {0x00, 0x00});
      continue;
    }
    if (me == target && change == Change::constructed && !t.constructed()) {
      tag[0] |= 0x20;  // the same value as a constructed string of one primitive segment
      content = encode(0x04, content);
    }
    Bytes length = rsp::tlv::encode_length(content.size());
    out.insert(out.end(), tag.begin(), tag.end());
    out.insert(out.end(), length.begin(), length.end());
    out.insert(out.end(), content.begin(), content.end());
  }
  return out;
}

struct Mutator {
  std::mt19937 rng{kSeed};
  size_t below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng); }

  // One hostile variant of `valid`, and what was done, for the failure message.
  std::pair<Bytes, std::string> operator()(const Bytes& valid) {
    Bytes m = valid;
    switch (below(6)) {
      case 0: {
        size_t flips = 1 + below(3);
        for (size_t i = 0; i < flips && !m.empty(); ++i) m[below(m.size())] ^= static_cast<uint8_t>(1u << below(8));
        return {m, "bit flips"};
      }
      case 1: m.resize(below(m.size())); return {m, "truncated to " + std::to_string(m.size())};
      case 2:
      case 3: {
        int nodes = 0;
        rebuild(valid, nodes, -1, Change::none);
        bool indefinite = below(2) == 0;
        for (int attempt = 0; attempt < 20; ++attempt) {  // a node where the change changes something
          int target = static_cast<int>(below(static_cast<size_t>(nodes)));
          int count = 0;
          m = rebuild(valid, count, target, indefinite ? Change::indefinite : Change::constructed);
          if (m != valid)
            return {m, std::string(indefinite ? "indefinite length" : "constructed form") + " at node " +
                           std::to_string(target)};
        }
        m = valid;
        m.resize(m.size() / 2);
        return {m, "halved"};
      }
      case 4: {
        m.resize(below(300));
        for (auto& b : m) b = static_cast<uint8_t>(below(256));
        if (!m.empty() && !valid.empty() && below(2)) m[0] = valid[0];  // the right outer tag, at least
        return {m, "random bytes"};
      }
      default: {
        size_t at = below(m.size() + 1);
        if (below(2) && at < m.size())
          m.erase(m.begin() + static_cast<long>(at));
        else
          m.insert(m.begin() + static_cast<long>(at), static_cast<uint8_t>(below(256)));
        return {m, "a byte inserted or removed at " + std::to_string(at)};
      }
    }
  }
};

// What must hold after a refusal: the session, the order and the reports as they were.
struct Snapshot {
  std::optional<SessionState> session;
  std::optional<ProfileState> profile;
  std::optional<std::string> holder;  // the order's transactionId
  size_t reports = 0;
  bool operator==(const Snapshot&) const = default;
};

struct Hostile {
  Es9Fixture& f;
  Mutator mutate;
  std::vector<std::string> problems;

  Snapshot snapshot(const std::string& transaction_id, const std::string& iccid) {
    Snapshot s;
    if (auto session = f.store->session(transaction_id); session && *session) s.session = (*session)->state;
    if (auto profile = f.store->profile(iccid); profile && *profile) {
      s.profile = (*profile)->state;
      s.holder = (*profile)->transaction_id;
    }
    s.reports = f.progress.size();
    return s;
  }

  void problem(const std::string& what, const std::string& why) {
    if (problems.size() < 20) problems.push_back(what + ": " + why);
  }

  // Runs `call` on a hostile case; an exception or an accepted case is a problem.
  template <class Call>
  void expect_refusal(const std::string& what, Call call) {
    try {
      if (auto why = call()) problem(what, *why);
    } catch (const std::exception& e) {
      problem(what, std::string("exception ") + e.what());
    }
  }

  static std::optional<std::string> refused_status(const FunctionStatus& s) {
    if (s.ok()) return "accepted";
    if (s.subject_code.empty() || s.reason_code.empty()) return "a refusal without codes";
    return std::nullopt;
  }
  template <class T>
  static std::optional<std::string> refused_result(const Es9Result<T>& r) {
    return r ? std::optional<std::string>("accepted") : refused_status(r.error());
  }
  // The JSON binding's answer must be JSON with a Failed status (204 and a failed status for
  // handleNotification).
  static std::optional<std::string> refused_json(const std::optional<Es9JsonReply>& reply) {
    if (!reply) return "no reply";
    if (reply->http_status == 204) return refused_status(reply->status);
    if (reply->http_status != 200) return "HTTP " + std::to_string(reply->http_status);
    auto body = json::parse(reply->body, nullptr, false);
    if (body.is_discarded()) return "not JSON: " + reply->body;
    if (body["header"]["functionExecutionStatus"].value("status", "") != "Failed") return "not Failed: " + reply->body;
    return refused_status(reply->status);
  }
  // The ASN.1 binding's answer: the function's error alternative ('81'), or 400 / 204 without a body.
  static std::optional<std::string> refused_asn1(const Es9Asn1Reply& reply) {
    if (reply.status.ok()) return "accepted";
    if (reply.http_status == 400 || reply.http_status == 204)
      return reply.body.empty() ? std::nullopt : std::optional<std::string>("a body");
    if (reply.http_status != 200) return "HTTP " + std::to_string(reply.http_status);
    auto outer = rsp::tlv::read(reply.body);
    auto alternative =
        outer && outer->tag == 0xA2 ? rsp::tlv::read(outer->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("no A2"));
    auto error =
        alternative ? rsp::tlv::read(alternative->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("no alternative"));
    if (!error || error->tag != 0x81) return "not the error alternative: " + rsp::to_hex(reply.body);
    return std::nullopt;
  }

  // `valid` mutated kCasesPerFunction times, each sent as `direct`, through the JSON binding
  // (`json_body` makes the body) and through the ASN.1 binding (`asn1_body`, also mutated whole).
  // `before` is checked against the state after every case.
  template <class Direct, class JsonBody, class Asn1Body, class State>
  void run(const std::string& function, const Bytes& valid, Direct direct, JsonBody json_body, Asn1Body asn1_body,
           State state) {
    auto before = state();
    for (int i = 0; i < kCasesPerFunction; ++i) {
      auto mutated = mutate(valid);  // not a structured binding: clang 14 cannot capture one in the lambdas below
      const Bytes& bad = mutated.first;
      std::string what = function + " case " + std::to_string(i) + " (" + mutated.second + ")";
      expect_refusal(what + " direct", [&] { return direct(bad); });
      expect_refusal(what + " JSON",
                     [&] { return refused_json(es9plus_json(*f.es9, function, json_body(bad).dump())); });
      Bytes request = asn1_body(bad);
      if (i % 2) request = mutate(asn1_body(valid)).first;
      expect_refusal(what + " ASN.1", [&] { return refused_asn1(es9plus_asn1(*f.es9, request)); });
      if (state() != before) {
        problem(what, "the state changed");
        before = state();
      }
    }
  }
};

// The problems found, one a line (bodies of random bytes need not be UTF-8).
std::string readable(const std::vector<std::string>& problems) {
  return json(problems).dump(1, ' ', false, json::error_handler_t::replace);
}

Bytes tlv(Tag tag, const Bytes& value) { return encode(tag, value); }
Bytes request(Tag function, std::initializer_list<Bytes> members) {
  Bytes all;
  for (const auto& m : members) all.insert(all.end(), m.begin(), m.end());
  return encode(0xA2, encode(function, all));
}
// An eUICC object as the ASN.1 binding carries it under an implicit tag: its contents under `tag`.
Bytes retagged(Tag tag, const Bytes& object) {
  auto t = rsp::tlv::read(object);
  return t ? encode(tag, Bytes(t->value.begin(), t->value.end())) : encode(tag, object);
}

}  // namespace

TEST_CASE("ES9+ functions refuse hostile messages without exceptions and without changing state", "[es9][hostile]") {
  Es9Fixture f;
  f.add_profile("8949449999999990064", "MATCH-A");
  f.add_profile("8949449999999990072", "MATCH-B");
  Hostile h{f, {}, {}};

  SECTION("initiateAuthentication") {
    Bytes info1 = f.es10(rsp::test::hex("BF2000"));
    Bytes challenge(16, 0x5A);
    auto refused = [](const Es9Result<smdp::InitiateAuthenticationResponse>& r) -> std::optional<std::string> {
      return r ? std::optional<std::string>()
               : Hostile::refused_status(r.error());  // a mutated euiccInfo1 may still be valid
    };
    h.run(
        "initiateAuthentication", info1,
        [&](const Bytes& bad) {
          return refused(f.es9->initiate_authentication({challenge, bad, kAddress}));
        },
        [&](const Bytes& bad) {
          return json{{"smdpAddress", kAddress},
                      {"euiccChallenge", rsp::to_base64(challenge)},
                      {"euiccInfo1", rsp::to_base64(bad)}};
        },
        [&](const Bytes& bad) {
          return request(0xBF39, {tlv(0x81, challenge), tlv(0x83, rsp::to_bytes(kAddress)), bad});
        },
        [] { return 0; });
    // Which of those were accepted does not matter here; only that nothing escaped.
    std::vector<std::string> escaped;
    for (const auto& p : h.problems)
      if (p.find("accepted") == std::string::npos && p.find("not Failed") == std::string::npos &&
          p.find("not the error alternative") == std::string::npos)
        escaped.push_back(p);
    h.problems = escaped;
  }

  SECTION("the download's functions") {
    Download a(f);
    REQUIRE(a.initiate());
    std::string tid = a.initiated.transaction_id;
    Bytes tid_bytes = rsp::from_hex(tid).value();
    auto state_a = [&] { return h.snapshot(tid, "8949449999999990064"); };

    // authenticateClient: the session stays 'initiated', the order with nobody.
    Bytes server_response = a.authenticate_server("MATCH-A");
    h.run(
        "authenticateClient", server_response,
        [&](const Bytes& bad) {
          return Hostile::refused_result(f.es9->authenticate_client({tid, bad}));
        },
        [&](const Bytes& bad) {
          return json{{"transactionId", tid}, {"authenticateServerResponse", rsp::to_base64(bad)}};
        },
        [&](const Bytes& bad) {
          return request(0xBF3B, {tlv(0x80, tid_bytes), bad});
        },
        state_a);
    auto authenticated = a.authenticate_client(server_response);
    INFO(readable(h.problems) + (authenticated
                                     ? ""
                                     : " valid: " + authenticated.error().subject_code + "/" +
                                           authenticated.error().reason_code + " " + authenticated.error().message));
    REQUIRE(authenticated);

    // getBoundProfilePackage: the session stays 'authenticated', no package is bound.
    Bytes prepared = a.prepare_download();
    h.run(
        "getBoundProfilePackage", prepared,
        [&](const Bytes& bad) {
          return Hostile::refused_result(f.es9->get_bound_profile_package({tid, bad}));
        },
        [&](const Bytes& bad) {
          return json{{"transactionId", tid}, {"prepareDownloadResponse", rsp::to_base64(bad)}};
        },
        [&](const Bytes& bad) {
          return request(0xBF3A, {tlv(0x80, tid_bytes), bad});
        },
        state_a);
    auto package = a.get_bound_profile_package(prepared);
    REQUIRE(package);

    // handleNotification: the order stays 'downloaded', the operator hears nothing.
    Bytes result = a.load(package->bound_profile_package);
    h.run(
        "handleNotification", result,
        [&](const Bytes& bad) { return Hostile::refused_status(f.es9->handle_notification(bad)); },
        [&](const Bytes& bad) {
          return json{{"pendingNotification", rsp::to_base64(bad)}};
        },
        [&](const Bytes& bad) { return request(0xBF3D, {tlv(0xA0, bad)}); }, state_a);
    CHECK(f.es9->handle_notification(result).ok());
    CHECK(f.profile("8949449999999990064").state == ProfileState::installed);

    // cancelSession: a second session, authenticated, cancelled by the card; the order stays held.
    Download b(f);
    REQUIRE(b.initiate());
    std::string tid_b = b.initiated.transaction_id;
    Bytes tid_b_bytes = rsp::from_hex(tid_b).value();
    REQUIRE(b.authenticate_client(b.authenticate_server("MATCH-B")));
    Bytes cancelled = f.es10(encode(0xBF41, rsp::concat({encode(0x80, tid_b_bytes), encode(0x81, Bytes{0x00})})));
    h.run(
        "cancelSession", cancelled,
        [&](const Bytes& bad) {
          return Hostile::refused_status(f.es9->cancel_session({tid_b, bad}));
        },
        [&](const Bytes& bad) {
          return json{{"transactionId", tid_b}, {"cancelSessionResponse", rsp::to_base64(bad)}};
        },
        [&](const Bytes& bad) {
          return request(0xBF41, {tlv(0x80, tid_b_bytes), retagged(0xA1, bad)});
        },
        [&] { return h.snapshot(tid_b, "8949449999999990072"); });
    CHECK(f.es9->cancel_session({tid_b, cancelled}).ok());
    CHECK(f.profile("8949449999999990072").state == ProfileState::error);  // end-user rejection ends the order
  }
  INFO(readable(h.problems));
  CHECK(h.problems.empty());
}

TEST_CASE("ES9+ JSON binding: random and mutated bodies always get a JSON answer", "[es9][hostile]") {
  Es9Fixture f;
  Mutator mutate;
  std::vector<std::string> problems;
  std::vector<std::string> seeds = {
      R"({"transactionId":"00112233445566778899AABBCCDDEEFF","authenticateServerResponse":"vzg="})",
      R"({"smdpAddress":"smdp.example.org","euiccChallenge":"AAAAAAAAAAAAAAAAAAAAAA==","euiccInfo1":"vyAA"})",
      R"({"transactionId":[1,2],"prepareDownloadResponse":{"a":null}})",
      R"({"pendingNotification":"\u0000\u00ff"})",
      R"([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]])",
      R"({"transactionId":"\ud800","cancelSessionResponse":"====="})"};
  for (const char* function : {"initiateAuthentication", "authenticateClient", "getBoundProfilePackage",
                               "handleNotification", "cancelSession"})
    for (int i = 0; i < 200; ++i) {
      const std::string& seed = seeds[mutate.below(seeds.size())];
      auto [bytes, how] = mutate(Bytes(seed.begin(), seed.end()));
      std::string body(bytes.begin(), bytes.end());
      try {
        if (auto why = Hostile::refused_json(es9plus_json(*f.es9, function, body)))
          if (problems.size() < 20)
            problems.push_back(std::string(function) + " " + how + ": " + *why + " for " + body);
      } catch (const std::exception& e) {
        if (problems.size() < 20) problems.push_back(std::string(function) + " " + how + ": exception " + e.what());
      }
    }
  INFO(readable(problems));
  CHECK(problems.empty());
}

TEST_CASE("ES9+ JSON binding: 4 MB of nested arrays or a million values are refused before anything is built",
          "[es9][hostile]") {
  // Issue 13 finding 1: eight such bodies once took the SM-DP+ from 17 MB to 1.23 GB.
  Es9Fixture f;
  auto peak_kib = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
  };
  const std::string nested = std::string(4 * 1024 * 1024, '[');
  std::string flat_text = "[0";
  for (int i = 0; i < 1'000'000; ++i) flat_text += ",0";
  flat_text += "]";
  const std::string& flat = flat_text;
  long before = peak_kib();
  for (int i = 0; i < 8; ++i)
    for (const std::string* body : {&nested, &flat}) {
      auto reply = es9plus_json(*f.es9, "initiateAuthentication", *body);
      REQUIRE(reply);
      INFO(reply->body);
      auto answer = json::parse(reply->body);
      CHECK(answer["header"]["functionExecutionStatus"]["status"] == "Failed");
      CHECK(answer["header"]["functionExecutionStatus"]["statusCodeData"]["subjectCode"] == "8.1");
    }
  CHECK(peak_kib() - before < 32 * 1024);  // the bodies themselves are 6 MB
}
