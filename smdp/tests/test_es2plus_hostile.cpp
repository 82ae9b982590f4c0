// Hostile input through ES2+ dispatch (the JSON binding, SGP.22 v2.5 §6.5.2): random and mutated
// bodies for every function, seeded. Every case must come back as an ES2+ answer, JSON with
// header.functionExecutionStatus (a refusal with its subject and reason codes), that the HTTP
// layer can write out, never as an exception.
#include <catch2/catch.hpp>

#include <random>

#include "es2_fixture.hpp"

using namespace smdp;
using namespace smdp::test;

namespace {

constexpr unsigned kSeed = 20240612;
constexpr const char* kHostileIccid = "8949449999999990080";

// What is wrong with an answer, or nothing.
std::optional<std::string> problem_of(const std::optional<json>& answer) {
  if (!answer) return "no answer";
  std::string text = answer->dump();  // as the HTTP layer writes it; throws on text that is not UTF-8
  if (!answer->contains("header") || !(*answer)["header"].contains("functionExecutionStatus"))
    return "no header: " + text;
  const json& status = (*answer)["header"]["functionExecutionStatus"];
  std::string s = status.value("status", "");
  if (s == "Executed-Success") return std::nullopt;
  if (s != "Failed") return "status " + s;
  if (!status.contains("statusCodeData") || status["statusCodeData"].value("subjectCode", "").empty() ||
      status["statusCodeData"].value("reasonCode", "").empty())
    return "a refusal without codes: " + text;
  return std::nullopt;
}

}  // namespace

TEST_CASE("ES2+ dispatch answers random and mutated bodies with JSON, never an exception", "[es2][hostile]") {
  Es2Fixture f;
  f.add_profile(kHostileIccid, "op-a");
  f.add_profile("8949449999999990098", "op-a", "Other");
  std::vector<std::string> seeds = {
      es2_request({{"iccid", kHostileIccid}}).dump(),
      es2_request({{"profileType", "Test"}, {"eid", kEid}}).dump(),
      es2_request({{"iccid", kHostileIccid},
                   {"releaseFlag", true},
                   {"confirmationCode", "12345678"},
                   {"matchingId", "ABC-DEF"}})
          .dump(),
      es2_request(
          {{"iccid", kHostileIccid}, {"eid", kEid}, {"finalProfileStatusIndicator", "Available"}, {"matchingId", "x"}})
          .dump(),
      es2_request({{"iccid", "89494499999999900809"}, {"smdsAddress", "\u00e9\u4e2d"}, {"releaseFlag", "yes"}}).dump(),
      R"({"header":{"functionRequesterIdentifier":1,"functionCallIdentifier":null},"iccid":[kHostileIccid],"eid":{}})",
      R"({"header":"x","iccid":"894944999999999008F","matchingId":"\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff"})",
  };
  std::mt19937 rng(kSeed);
  auto below = [&](size_t n) { return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  std::vector<std::string> problems;
  int cases = 0;
  for (const char* function : {"downloadOrder", "confirmOrder", "cancelOrder", "releaseProfile"})
    for (int i = 0; i < 400; ++i, ++cases) {
      std::string body = seeds[below(seeds.size())];
      std::string how;
      switch (below(5)) {
        case 0:  // bit flips
          for (size_t k = 0, n = 1 + below(4); k < n && !body.empty(); ++k)
            body[below(body.size())] ^= static_cast<char>(1u << below(8));
          how = "bit flips";
          break;
        case 1:
          body.resize(below(body.size()));
          how = "truncated";
          break;
        case 2: {  // a value replaced by one of another type or shape
          static const char* values[] = {"null",
                                         "true",
                                         "-1",
                                         "1e999",
                                         "\"\"",
                                         "[]",
                                         "{}",
                                         "\"\\u0000\"",
                                         "\"\\ud83d\\ude00\"",
                                         "\"89494499999999900801234567890\"",
                                         "18446744073709551616",
                                         "\"\\u00e9\\u00e9\\u00e9\""};
          size_t colon = body.find(':', below(body.size()));
          if (colon != std::string::npos) {
            size_t end = body.find_first_of(",}", colon);
            body.replace(colon + 1, (end == std::string::npos ? body.size() : end) - colon - 1,
                         values[below(std::size(values))]);
          }
          how = "a value replaced";
          break;
        }
        case 3:  // random bytes, often starting like an object
          body.assign(below(200), '\0');
          for (auto& c : body) c = static_cast<char>(below(256));
          if (below(2)) body.insert(0, "{\"header\":");
          how = "random bytes";
          break;
        default:  // a long string value
          body = es2_request({{"iccid", std::string(1 + below(5000), '8')},
                              {"matchingId", std::string(below(3000), 'A')},
                              {"profileType", std::string(below(3000), '\xC3') + std::string(1, '\xA9')}})
                     .dump(-1, ' ', false, json::error_handler_t::replace);
          how = "long strings";
      }
      try {
        if (auto why = problem_of(f.es2->dispatch(function, below(4) ? "op-a" : "op-b", std::string_view(body))))
          if (problems.size() < 20) problems.push_back(std::string(function) + " (" + how + "): " + *why);
      } catch (const std::exception& e) {
        if (problems.size() < 20) problems.push_back(std::string(function) + " (" + how + "): exception " + e.what());
      }
    }
  INFO(json(problems).dump(1, ' ', false, json::error_handler_t::replace));
  CHECK(problems.empty());
  CHECK(cases == 1600);
}
