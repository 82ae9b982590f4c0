// rsp-aka: the network side of UMTS AKA (3GPP TS 33.102 §6.3) with MILENAGE (TS 35.206), as an HSS/AuC
// computes it. `vector` prints an authentication vector (RAND, AUTN, XRES, CK, IK), `verify` checks a
// card's answer (RES, CK, IK) to a RAND, `resync` recovers SQN_MS from the card's AUTS (§6.3.5).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/crypto/aka.hpp"
#include "rsp/crypto/milenage.hpp"

namespace {

using rsp::Bytes;

// Exit codes: 0 done (verify: the answer matches), 1 the card's answer does not match or AUTS is refused,
// 2 usage or malformed input.
constexpr int kMismatch = 1;
constexpr int kUsage = 2;

struct Failure {
  std::string message;
};

// A hex option of an exact length in bytes (the name is the option's, for the message).
Bytes hex_option(const std::string& name, const std::string& text, size_t length) {
  auto bytes = rsp::from_hex(text);
  if (!bytes) throw Failure{name + " is not hex"};
  if (bytes->size() != length) {
    rsp::wipe(*bytes);
    throw Failure{name + " must be " + std::to_string(length) + " bytes (" + std::to_string(2 * length) +
                  " hex digits)"};
  }
  return std::move(*bytes);
}

// The subscriber's MILENAGE instance from Ki and OPc (or OP); the decoded keys are wiped here.
rsp::crypto::Milenage subscriber(const std::string& ki, const std::string& opc, const std::string& op) {
  if (opc.empty() == op.empty()) throw Failure{"give --opc or --op"};
  Bytes k = hex_option("--ki", ki, 16);
  Bytes o = op.empty() ? hex_option("--opc", opc, 16) : hex_option("--op", op, 16);
  auto m = op.empty() ? rsp::crypto::Milenage::create(k, o) : rsp::crypto::Milenage::from_op(k, o);
  rsp::wipe(k);
  rsp::wipe(o);
  if (!m) throw Failure{m.error().message};
  return std::move(m).value();
}

void add_subscriber_options(CLI::App* command, std::string& ki, std::string& opc, std::string& op) {
  command->add_option("--ki", ki, "subscriber key K, 16 bytes in hex")->required();
  auto* opc_option = command->add_option("--opc", opc, "OPc, 16 bytes in hex");
  auto* op_option = command->add_option("--op", op, "OP, 16 bytes in hex (OPc is derived from Ki and OP)");
  opc_option->excludes(op_option);
}

int vector_command(const rsp::crypto::Milenage& m, const std::string& rand_hex, const std::string& sqn_hex,
                   const std::string& amf_hex, bool json) {
  Bytes rand = rand_hex.empty() ? rsp::random_bytes(rsp::crypto::kRandLength)
                                : hex_option("--rand", rand_hex, rsp::crypto::kRandLength);
  Bytes sqn = hex_option("--sqn", sqn_hex, rsp::crypto::kSqnLength);
  Bytes amf = hex_option("--amf", amf_hex, rsp::crypto::kAmfLength);
  auto v = rsp::crypto::generate_vector(m, rand, sqn, amf);
  if (json) {
    nlohmann::json j = {{"rand", rsp::to_hex(v.rand)}, {"autn", rsp::to_hex(v.autn)}, {"xres", rsp::to_hex(v.xres)},
                        {"ck", rsp::to_hex(v.ck)},     {"ik", rsp::to_hex(v.ik)},     {"sqn", rsp::to_hex(sqn)},
                        {"amf", rsp::to_hex(amf)}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "RAND " << rsp::to_hex(v.rand) << "\n"
              << "AUTN " << rsp::to_hex(v.autn) << "\n"
              << "XRES " << rsp::to_hex(v.xres) << "\n"
              << "CK " << rsp::to_hex(v.ck) << "\n"
              << "IK " << rsp::to_hex(v.ik) << "\n";
  }
  return 0;
}

// TS 33.102 §6.3.3: the serving network compares RES with XRES; CK and IK are the keys both sides now hold.
int verify_command(const rsp::crypto::Milenage& m, const std::string& rand_hex, const std::string& res_hex,
                   const std::string& ck_hex, const std::string& ik_hex) {
  Bytes rand = hex_option("--rand", rand_hex, rsp::crypto::kRandLength);
  auto expected = m.f2345(rand);
  Bytes res = hex_option("--res", res_hex, expected.res.size());
  std::vector<std::string> differ;
  if (res != expected.res) differ.emplace_back("RES differs from XRES");
  if (!ck_hex.empty() && hex_option("--ck", ck_hex, expected.ck.size()) != expected.ck)
    differ.emplace_back("CK differs");
  if (!ik_hex.empty() && hex_option("--ik", ik_hex, expected.ik.size()) != expected.ik)
    differ.emplace_back("IK differs");
  if (!differ.empty()) {
    std::string line;
    for (const auto& d : differ) line += (line.empty() ? "" : ", ") + d;
    std::cout << "rsp-aka verify: the card's answer does not match: " << line << "\n";
    return kMismatch;
  }
  std::cout << "RES matches XRES" << (ck_hex.empty() ? "" : ", CK matches") << (ik_hex.empty() ? "" : ", IK matches")
            << "\n";
  return 0;
}

// TS 33.102 §6.3.5: SQN_MS from AUTS; the network's next SQN must be above it.
int resync_command(const rsp::crypto::Milenage& m, const std::string& rand_hex, const std::string& auts_hex) {
  Bytes rand = hex_option("--rand", rand_hex, rsp::crypto::kRandLength);
  Bytes auts = hex_option("--auts", auts_hex, rsp::crypto::kAutsLength);
  auto sqn_ms = rsp::crypto::resynchronise(m, rand, auts);
  if (!sqn_ms) {
    std::cout << "rsp-aka resync: " << sqn_ms.error().message << "\n";
    return kMismatch;
  }
  std::cout << "SQN_MS " << rsp::to_hex(*sqn_ms) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "rsp-aka: the network side of UMTS AKA with MILENAGE (authentication vectors, checks, resynchronisation)"};
  app.require_subcommand(1);

  std::string ki, opc, op, rand, sqn = "000000000020", amf = "8000";
  bool json = false;
  auto* vector = app.add_subcommand("vector", "print an authentication vector: RAND, AUTN, XRES, CK, IK");
  add_subscriber_options(vector, ki, opc, op);
  vector->add_option("--sqn", sqn, "SQN, 6 bytes in hex (default 000000000020: SEQ 1, IND 0; a fresh USIM accepts it)");
  vector->add_option("--amf", amf, "AMF, 2 bytes in hex (default 8000, the separation bit set)");
  vector->add_option("--rand", rand, "RAND, 16 bytes in hex (default: random)");
  vector->add_flag("--json", json, "print one JSON object (rand, autn, xres, ck, ik, sqn, amf)");

  std::string res, ck, ik;
  auto* verify =
      app.add_subcommand("verify", "check a card's answer to RAND: exit 0 if RES (and CK, IK) match, 1 if not");
  add_subscriber_options(verify, ki, opc, op);
  verify->add_option("--rand", rand, "RAND sent to the card, 16 bytes in hex")->required();
  verify->add_option("--res", res, "RES the card returned")->required();
  verify->add_option("--ck", ck, "CK the card returned (checked when given)");
  verify->add_option("--ik", ik, "IK the card returned (checked when given)");

  std::string auts;
  auto* resync = app.add_subcommand("resync", "recover SQN_MS from the card's AUTS (synchronisation failure)");
  add_subscriber_options(resync, ki, opc, op);
  resync->add_option("--rand", rand, "RAND sent to the card, 16 bytes in hex")->required();
  resync->add_option("--auts", auts, "AUTS the card returned, 14 bytes in hex")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "rsp-aka: " << e.what() << "\n";
    return kUsage;
  }

  const std::string command = app.get_subcommands().front()->get_name();
  try {
    auto m = subscriber(ki, opc, op);
    if (*vector) return vector_command(m, rand, sqn, amf, json);
    if (*verify) return verify_command(m, rand, res, ck, ik);
    return resync_command(m, rand, auts);
  } catch (const Failure& f) {
    std::cerr << "rsp-aka " << command << ": " << f.message << "\n";
    return kUsage;
  }
}
