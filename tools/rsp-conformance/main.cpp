// rsp-conformance: runs the conformance cases of one role against a target and reports them
// (terminal progress and summary, JUnit XML, --json lines). Exit 0 when nothing failed, 1 when a
// case failed or the target could not be reached, 2 for usage errors.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "case.hpp"
#include "html_report.hpp"
#include "recording_transport.hpp"
#include "eim_run.hpp"
#include "smdp_run.hpp"
#include "ipa/transport.hpp"

namespace {

using namespace conformance;

// XML attribute values take the same escapes as HTML.
std::string xml(const std::string& s) { return html_escape(s); }

void write_junit(const std::string& path, const std::string& role, const std::vector<Result>& results) {
  size_t failures = 0, skipped = 0;
  double total = 0;
  for (const auto& r : results) {
    failures += r.outcome.verdict == Verdict::fail;
    skipped += r.outcome.verdict == Verdict::not_applicable;
    total += r.seconds;
  }
  std::ofstream out(path);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"rsp-conformance." << role
      << "\" tests=\"" << results.size() << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped
      << "\" time=\"" << total << "\">\n";
  for (const auto& r : results) {
    out << "    <testcase classname=\"" << xml(r.c->role + "." + r.c->id.substr(0, r.c->id.find('.'))) << "\" name=\""
        << xml(r.c->id) << "\" time=\"" << r.seconds << "\">";
    if (r.outcome.verdict == Verdict::fail) out << "<failure message=\"" << xml(r.outcome.detail) << "\"/>";
    if (r.outcome.verdict == Verdict::not_applicable) out << "<skipped message=\"" << xml(r.outcome.detail) << "\"/>";
    out << "</testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

int list(const std::string& role) {
  for (const Case* c : select(role, {}))
    std::cout << c->id << "  [" << c->role << "]  " << c->section << "\n    sends: " << c->sends
              << "\n    expects: " << c->expects << "\n";
  return 0;
}

int run(const std::string& role, const std::string& euicc, const std::string& pattern, const std::string& junit, bool json,
        const std::string& html, const std::string& pki, bool destructive) {
  auto chosen = select(role, pattern);
  if (role != "euicc" || select(role, {}).empty()) {
    std::cerr << "rsp-conformance: no cases for this role yet (" << role << ")\n";
    return 2;
  }
  if (euicc.empty()) {
    std::cerr << "rsp-conformance: run --role euicc needs --euicc tcp:HOST:PORT|pcsc:READER\n";
    return 2;
  }
  if (chosen.empty()) {
    std::cerr << "rsp-conformance: no case matches " << pattern << "\n";
    return 2;
  }
  auto transport = ipa::open_transport(euicc);
  if (!transport) {
    std::cerr << "rsp-conformance: cannot open the eUICC at " << euicc << ": " << transport.error().message << "\n";
    return 1;
  }
  if (auto atr = (*transport)->connect(); !atr) {
    std::cerr << "rsp-conformance: cannot reach the eUICC at " << euicc << ": " << atr.error().message << "\n";
    return 1;
  }
  ExchangeLog apdus;
  RecordingTransport recording(**transport, apdus);
  ipa::Es10Channel channel(recording);
  EuiccTarget target{channel, {}};
  if (!pki.empty()) target.pki = pki;
  target.destructive = destructive;
  std::vector<Result> results;
  std::ostream& progress = json ? std::cerr : std::cout;
  for (const Case* c : chosen) {
    auto start = std::chrono::steady_clock::now();
    apdus.clear();
    target.exchanges.clear();
    Outcome outcome = c->run(target);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ExchangeLog exchanges = apdus;
    exchanges.insert(exchanges.end(), target.exchanges.begin(), target.exchanges.end());
    size_t apdu_count = apdus.size();
    results.push_back({c, outcome, seconds, std::move(exchanges)});
    progress << verdict_name(outcome.verdict) << "  " << c->id << (outcome.detail.empty() ? "" : ": " + outcome.detail) << "\n";
    if (json)
      std::cout << nlohmann::json{{"case", c->id}, {"role", c->role}, {"section", c->section}, {"verdict", verdict_name(outcome.verdict)},
                                  {"detail", outcome.detail}, {"seconds", seconds},
                                  {"apdus", apdu_count}, {"apdu_bytes", apdu_bytes(results.back().exchanges)}}.dump()
                << std::endl;
  }
  size_t counts[3] = {0, 0, 0};
  for (const auto& r : results) ++counts[static_cast<int>(r.outcome.verdict)];
  progress << "\nrole " << role << ": " << results.size() << " cases, " << counts[0] << " passed, " << counts[1] << " failed, "
           << counts[2] << " not applicable\n";
  if (!junit.empty()) write_junit(junit, role, results);
  if (!html.empty()) std::ofstream(html) << html_report({role, euicc, utc_now()}, results);
  return counts[1] == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rsp-conformance: SGP.22 / SGP.32 conformance cases against an eUICC or an SM-DP+ (more roles to come)"};
  app.require_subcommand(1);
  std::string role, euicc, pattern, junit, html;
  bool json = false, destructive = false;
  SmdpRunOptions smdp;
  auto* list_command = app.add_subcommand("list", "the cases: ID, role, section, what each sends and expects");
  list_command->add_option("--role", role, "only this role's cases");
  auto* run_command = app.add_subcommand("run", "run a role's cases against a target");
  run_command->add_option("--role", role, "euicc, smdp, smds, eim (ipa: no cases yet)")->required();
  run_command->add_option("--euicc", euicc, "tcp:HOST:PORT | pcsc:READER, as for ipa --euicc");
  run_command->add_option("--smdp", smdp.url, "smdp role: the SM-DP+'s ES9+, https://HOST[:PORT]");
  std::string smds_url;
  run_command->add_option("--smds", smds_url, "smds role: the SM-DS's ES11, https://HOST[:PORT]");
  std::string eim_url, owner_url, owner_cert, owner_key;
  run_command->add_option("--eim", eim_url, "eim role: the eIM's ESipa, https://HOST[:PORT]");
  run_command->add_option("--owner-url", owner_url, "eim role: the eIM's owner API, https://HOST:PORT (to register the harness's devices)");
  run_command->add_option("--owner-cert", owner_cert, "eim role: the owner's client certificate (PEM)");
  run_command->add_option("--owner-key", owner_key, "eim role: its private key (PEM)");
  run_command->add_option("--pki", smdp.pki, "an rsp-pki directory: the credentials the harness plays with and the CIs it trusts");
  run_command->add_option("--binding", smdp.binding, "smdp, eim roles: json (default) or asn1");
  run_command->add_option("--operator-cert", smdp.operator_cert, "smdp role: the operator's ES2+ client certificate (PEM), to place orders");
  run_command->add_option("--operator-key", smdp.operator_key, "smdp role: its private key (PEM)");
  run_command->add_option("--operator-id", smdp.operator_id, "smdp role: the operator's functionRequesterIdentifier");
  run_command->add_option("--operator2-cert", smdp.operator2_cert, "smdp role: a second operator's ES2+ client certificate (isolation cases)");
  run_command->add_option("--operator2-key", smdp.operator2_key, "smdp role: its private key (PEM)");
  run_command->add_option("--operator2-id", smdp.operator2_id, "smdp role: its functionRequesterIdentifier");
  run_command->add_option("--es2", smdp.es2_url, "smdp role: the SM-DP+'s ES2+, https://HOST:PORT (default: the --smdp URL)");
  run_command->add_option("--profile-type", smdp.profile_type, "smdp role: the profile type ordered (default demo)");
  run_command->add_option("--case", pattern, "only cases whose ID matches this glob");
  run_command->add_option("--junit", junit, "write JUnit XML here");
  run_command->add_option("--html", html, "write a self-contained HTML report with each case's decoded exchange here");
  run_command->add_flag("--destructive", destructive, "euicc role: cases may install a test profile, then delete it");
  run_command->add_flag("--json", json, "one JSON line per case on stdout (progress goes to stderr)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!role.empty() && std::find(roles().begin(), roles().end(), role) == roles().end()) {
    std::cerr << "rsp-conformance: unknown role " << role << " (euicc, smdp, smds, ipa, eim)\n";
    return 2;
  }
  if (*list_command) return list(role);
  if (role == "smdp") return run_smdp(smdp, select(role, pattern), json);
  if (role == "eim") return run_eim({eim_url, smdp.pki, smdp.binding, owner_url, owner_cert, owner_key}, select(role, pattern), json);
  if (role == "smds") {
    if (smds_url.empty()) {
      std::cerr << "rsp-conformance: run --role smds needs --smds https://HOST[:PORT]\n";
      return 2;
    }
    smdp.url = smds_url;
    return run_smdp(smdp, select(role, pattern), json);
  }
  return run(role, euicc, pattern, junit, json, html, smdp.pki, destructive);
}
