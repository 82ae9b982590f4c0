// The rsp-aka tool, run as a process: `vector` gives TS 35.208 Test Set 1's RES, CK, IK and the AUTN that
// TS 33.102 §6.3.2 builds from its SQN, AMF and the set's MAC-A and AK (the same values test_milenage checks
// against the library); the JSON object; a default vector a fresh USIM accepts; `verify` passes the card's
// right answer in any case and fails each wrong part with one line (exit 1); `resync` recovers SQN_MS from
// AUTS and refuses a forged one; bad input exits 2.
#include <catch2/catch.hpp>

#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

#include "rsp/crypto/aka.hpp"
#include "rsp/crypto/milenage.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

using namespace rsp;
using Run = rsp::test::CommandResult;

Run rsp_aka(const std::string& args, bool with_stderr = true) {
  return rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/rsp-aka " + args +
                                (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

// TS 35.208 §4.3 Test Set 1.
const std::string kKi = "465b5ce8b199b49faa5f0a2ee238a6bc";
const std::string kOp = "cdc202d5123e20f62b6d676ac72cb318";
const std::string kOpc = "cd63cb71954a9f4e48a5994e37a02baf";
const std::string kRand = "23553cbe9637a89d218ae64dae47bf35";
const std::string kSqn = "ff9bb4d0b607";
const std::string kAmf = "b9b9";
const std::string kRes = "a54211d5e3ba50bf";
const std::string kCk = "b40ba9a3c58b2a05bbf0d987b21bf8cb";
const std::string kIk = "f769bcd751044604127672711c6d3441";
// (SQN xor AK) || AMF || MAC-A with AK (f5) aa689c648370 and MAC-A (f1) 4a9ffac354dfafb3 of the set.
const std::string kAutn = "55f328b43577b9b94a9ffac354dfafb3";

const std::string kSubscriber = "--ki " + kKi + " --opc " + kOpc;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

crypto::Milenage test_set_1() { return crypto::Milenage::create(test::hex(kKi), test::hex(kOpc)).value(); }

}  // namespace

TEST_CASE("rsp-aka vector prints TS 35.208 Test Set 1 as an authentication vector", "[aka][cli]") {
  Run r = rsp_aka("vector " + kSubscriber + " --rand " + kRand + " --sqn " + kSqn + " --amf " + kAmf);
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out == "RAND " + upper(kRand) + "\nAUTN " + upper(kAutn) + "\nXRES " + upper(kRes) + "\nCK " + upper(kCk) +
                     "\nIK " + upper(kIk) + "\n");
  // OP instead of OPc gives the same vector (OPc = OP xor E_K(OP)).
  Run from_op =
      rsp_aka("vector --ki " + kKi + " --op " + kOp + " --rand " + kRand + " --sqn " + kSqn + " --amf " + kAmf);
  CHECK(from_op.status == 0);
  CHECK(from_op.out == r.out);
}

TEST_CASE("rsp-aka vector --json prints one object with every part", "[aka][cli]") {
  Run r =
      rsp_aka("vector " + kSubscriber + " --rand " + kRand + " --sqn " + kSqn + " --amf " + kAmf + " --json", false);
  INFO(r.out);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.is_object());
  CHECK(j.size() == 7);
  CHECK(j.at("rand") == upper(kRand));
  CHECK(j.at("autn") == upper(kAutn));
  CHECK(j.at("xres") == upper(kRes));
  CHECK(j.at("ck") == upper(kCk));
  CHECK(j.at("ik") == upper(kIk));
  CHECK(j.at("sqn") == upper(kSqn));
  CHECK(j.at("amf") == upper(kAmf));
}

TEST_CASE("rsp-aka vector by default: a random RAND, and an SQN and AMF a fresh USIM accepts", "[aka][cli]") {
  Run a = rsp_aka("vector " + kSubscriber + " --json", false);
  Run b = rsp_aka("vector " + kSubscriber + " --json", false);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  auto ja = nlohmann::json::parse(a.out);
  auto jb = nlohmann::json::parse(b.out);
  CHECK(ja.at("rand") != jb.at("rand"));

  // The USIM side of the library (as the software eUICC runs it) on a card that has never authenticated.
  auto m = test_set_1();
  crypto::SqnState fresh;
  auto answer = crypto::authenticate(m, test::hex(ja.at("rand").get<std::string>()),
                                     test::hex(ja.at("autn").get<std::string>()), fresh);
  REQUIRE(answer.outcome == crypto::AuthenticateOutcome::success);
  CHECK(to_hex(answer.res) == ja.at("xres"));
  CHECK(to_hex(answer.ck) == ja.at("ck"));
  CHECK(to_hex(answer.ik) == ja.at("ik"));
}

TEST_CASE("rsp-aka verify: exit 0 when the card's answer matches, 1 with one line naming what differs", "[aka][cli]") {
  const std::string rand = " --rand " + kRand;
  Run ok = rsp_aka("verify " + kSubscriber + rand + " --res " + upper(kRes) + " --ck " + kCk + " --ik " + upper(kIk));
  INFO(ok.out);
  CHECK(ok.status == 0);
  CHECK(ok.out == "RES matches XRES, CK matches, IK matches\n");
  CHECK(rsp_aka("verify " + kSubscriber + rand + " --res " + kRes).status == 0);

  Run wrong_res = rsp_aka("verify " + kSubscriber + rand + " --res a54211d5e3ba50be --ck " + kCk + " --ik " + kIk);
  CHECK(wrong_res.status == 1);
  CHECK(wrong_res.out == "rsp-aka verify: the card's answer does not match: RES differs from XRES\n");
  Run wrong_keys = rsp_aka("verify " + kSubscriber + rand + " --res " + kRes + " --ck " + kIk + " --ik " + kCk);
  CHECK(wrong_keys.status == 1);
  CHECK(wrong_keys.out == "rsp-aka verify: the card's answer does not match: CK differs, IK differs\n");
  // Another RAND: the same answer is wrong.
  CHECK(rsp_aka("verify " + kSubscriber + " --rand 000102030405060708090a0b0c0d0e0f --res " + kRes).status == 1);
}

TEST_CASE("rsp-aka resync recovers SQN_MS from AUTS and refuses a forged AUTS", "[aka][cli]") {
  // AUTS = (SQN_MS xor AK*) || MAC-S, TS 33.102 §6.3.3, computed here with the library's MILENAGE.
  auto m = test_set_1();
  Bytes rand = test::hex(kRand);
  Bytes sqn_ms = test::hex("0000000004e1");
  Bytes ak_star = m.f5star(rand);
  Bytes auts;
  for (size_t i = 0; i < sqn_ms.size(); ++i) auts.push_back(static_cast<uint8_t>(sqn_ms[i] ^ ak_star[i]));
  Bytes mac_s = m.f1star(rand, sqn_ms, test::hex("0000"));
  auts.insert(auts.end(), mac_s.begin(), mac_s.end());

  Run r = rsp_aka("resync " + kSubscriber + " --rand " + kRand + " --auts " + to_hex(auts));
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out == "SQN_MS 0000000004E1\n");
  auts.back() ^= 1;
  Run forged = rsp_aka("resync " + kSubscriber + " --rand " + kRand + " --auts " + to_hex(auts));
  CHECK(forged.status == 1);
  CHECK(forged.out.find("MAC-S") != std::string::npos);
}

TEST_CASE("rsp-aka refuses bad input with exit 2 and one line", "[aka][cli]") {
  Run short_ki = rsp_aka("vector --ki 0011 --opc " + kOpc);
  CHECK(short_ki.status == 2);
  CHECK(short_ki.out == "rsp-aka vector: --ki must be 16 bytes (32 hex digits)\n");
  CHECK(rsp_aka("vector --ki " + kKi).status == 2);                                          // neither --opc nor --op
  CHECK(rsp_aka("vector " + kSubscriber + " --op " + kOp).status == 2);                      // both
  CHECK(rsp_aka("vector " + kSubscriber + " --sqn 0102").status == 2);                       // short SQN
  CHECK(rsp_aka("vector " + kSubscriber + " --rand zz").status == 2);                        // not hex
  CHECK(rsp_aka("verify " + kSubscriber + " --rand " + kRand + " --res a542").status == 2);  // short RES
  CHECK(rsp_aka("verify " + kSubscriber + " --res " + kRes).status == 2);                    // no RAND
  CHECK(rsp_aka("").status == 2);
}
