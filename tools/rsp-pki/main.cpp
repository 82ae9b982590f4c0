// rsp-pki: test PKIs for the RSP stack. `make` one, `import-sgp26` a published set into the same
// layout, `check` every certificate under a directory.
#include <CLI/CLI.hpp>

#include <iostream>

#include "rsp/eid.hpp"
#include "rsp/pki/test_pki.hpp"

int main(int argc, char** argv) {
  CLI::App app{"rsp-pki: make, import and check RSP test PKIs"};
  app.require_subcommand(1);

  rsp::pki::MakeOptions make_options;
  std::string curve = "nist";
  std::string make_dir;
  auto* make = app.add_subcommand(
      "make",
      "write a complete test PKI (CI, EUM, eUICC, DPauth, DPpb, DP TLS, DSauth, DS TLS, eIM, eIM TLS) into DIR");
  make->add_option("--curve", curve, "nist or brainpool")->check(CLI::IsMember({"nist", "brainpool"}));
  make->add_option("--eid", make_options.eid, "EID of the eUICC certificate (32 digits, valid check digits)");
  make->add_option("--dp-host", make_options.dp_host, "host name in the DP TLS certificate")->capture_default_str();
  make->add_option("--ds-host", make_options.ds_host, "host name in the DS TLS certificate (the SM-DS's FQDN)")
      ->capture_default_str();
  make->add_option("--eim-host", make_options.eim_host, "host name in the eIM TLS certificate (the eIM's FQDN)")
      ->capture_default_str();
  make->add_option("DIR", make_dir, "target directory")->required();

  std::string import_source, import_dir;
  std::filesystem::path euicc_pki, euicc_out;
  std::string euicc_eid;
  auto* euicc = app.add_subcommand(
      "euicc", "issue another eUICC certificate and key under PKI's EUM into DIR (for euicc-sim --pki)");
  euicc->add_option("--eid", euicc_eid, "EID of the new eUICC (32 digits, valid check digits, in the EUM's range)")
      ->required();
  euicc->add_option("PKI", euicc_pki, "the PKI whose EUM issues it (rsp-pki make)")
      ->required()
      ->check(CLI::ExistingDirectory);
  euicc->add_option("DIR", euicc_out, "target directory")->required();

  std::filesystem::path eim_pki, eim_out;
  std::string eim_host = "localhost", eim_organization = "Open RSP Test eIM 2";
  auto* eim = app.add_subcommand(
      "eim", "issue another eIM (signing key and TLS identity) under PKI's CI into DIR (for eim serve --pki)");
  eim->add_option("--eim-host", eim_host, "host name in the new eIM's TLS certificate")->capture_default_str();
  eim->add_option("--organization", eim_organization, "the new eIM's organisation (certificate subject O)")
      ->capture_default_str();
  eim->add_option("PKI", eim_pki, "the PKI whose CI issues it (rsp-pki make)")
      ->required()
      ->check(CLI::ExistingDirectory);
  eim->add_option("DIR", eim_out, "target directory")->required();

  auto* import = app.add_subcommand("import-sgp26", "lay a published SGP.26 set out like `make` does");
  import->add_option("SRC", import_source, "the SGP.26 folder (CertificateIssuer/, EUM/, eUICC/, DPauth/, ...)")
      ->required();
  import->add_option("DIR", import_dir, "target directory")->required();

  std::string check_dir;
  auto* check = app.add_subcommand("check", "validate every certificate under DIR against the CIs found there");
  check->add_option("DIR", check_dir, "directory to search (recursively, PEM or DER)")
      ->required()
      ->check(CLI::ExistingDirectory);

  CLI11_PARSE(app, argc, argv);

  if (*make) {
    make_options.curve = *rsp::crypto::curve_from_name(curve);
    if (!make_options.eid.empty() && !rsp::eid::valid(make_options.eid)) {
      std::cerr << "rsp-pki: --eid " << make_options.eid << " is not a valid EID (32 digits, check digits)\n";
      return 2;
    }
    auto r = rsp::pki::make(make_dir, make_options);
    if (!r) {
      std::cerr << "rsp-pki make: " << r.error().message << "\n";
      return 1;
    }
    std::cout << "wrote a " << curve << " test PKI into " << make_dir << "/" << curve << " (EID "
              << (make_options.eid.empty() ? rsp::pki::default_eid() : make_options.eid) << ")\n";
    return 0;
  }
  if (*euicc) {
    if (!rsp::eid::valid(euicc_eid)) {
      std::cerr << "rsp-pki: --eid " << euicc_eid << " is not a valid EID (32 digits, check digits)\n";
      return 2;
    }
    if (auto r = rsp::pki::issue_euicc(euicc_pki, euicc_out, euicc_eid); !r) {
      std::cerr << "rsp-pki euicc: " << r.error().message << "\n";
      return 1;
    }
    std::cout << "wrote the eUICC credentials of EID " << euicc_eid << " into " << euicc_out << "\n";
    return 0;
  }
  if (*eim) {
    if (auto r = rsp::pki::issue_eim(eim_pki, eim_out, eim_host, eim_organization); !r) {
      std::cerr << "rsp-pki eim: " << r.error().message << "\n";
      return 1;
    }
    std::cout << "wrote the eIM " << eim_organization << " (TLS host " << eim_host << ") into " << eim_out << "\n";
    return 0;
  }
  if (*import) {
    auto r = rsp::pki::import_sgp26(import_source, import_dir);
    if (!r) {
      std::cerr << "rsp-pki import-sgp26: " << r.error().message << "\n";
      return 1;
    }
    for (const auto& line : *r) std::cout << line << "\n";
    return 0;
  }
  auto verdicts = rsp::pki::check(check_dir, time(nullptr));
  int failed = 0;
  for (const auto& v : verdicts) {
    std::cout << rsp::pki::format(v, check_dir) << "\n";
    if (!v.ok()) failed++;
  }
  std::cout << verdicts.size() << " certificates, " << failed << " failed\n";
  if (verdicts.empty()) std::cerr << "rsp-pki check: no certificates under " << check_dir << "\n";
  return failed || verdicts.empty() ? 1 : 0;
}
