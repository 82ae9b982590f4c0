// rsp-profile: `make` a SAIP profile package (one USIM, MILENAGE) and its StoreMetadata from ICCID, IMSI,
// Ki and OPc or OP; `show` what a package holds (ICCID, IMSI, USIM AID, algorithm), never its keys.
#include <CLI/CLI.hpp>

#include <iostream>

#include "rsp/files.hpp"
#include "rsp/iccid.hpp"
#include "rsp/profile_contents.hpp"
#include "rsp/profile_maker.hpp"

namespace {

// Exit codes: 1 bad input or I/O, 2 usage.
int usage(const std::string& message) {
  std::cerr << "rsp-profile: " << message << "\n";
  return 2;
}

const char* algorithm_name(rsp::AkaAlgorithm a) {
  switch (a) {
    case rsp::AkaAlgorithm::milenage: return "MILENAGE";
    case rsp::AkaAlgorithm::tuak: return "TUAK";
    case rsp::AkaAlgorithm::usim_test_algorithm: return "usim-test-algorithm";
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rsp-profile: make and show SAIP profile packages"};
  app.require_subcommand(1);

  rsp::ProfileSpec spec;
  std::string ki, opc, op, out, metadata_out;
  auto* make =
      app.add_subcommand("make", "write the profile package of one USIM subscription (MILENAGE) to OUT (mode 0600)");
  make->add_option("--iccid", spec.iccid, "ICCID, 18 to 20 digits")->required();
  make->add_option("--imsi", spec.imsi, "IMSI, 6 to 15 digits")->required();
  make->add_option("--ki", ki, "subscriber key K, 16 bytes in hex")->required();
  auto* opc_option = make->add_option("--opc", opc, "OPc, 16 bytes in hex");
  auto* op_option = make->add_option("--op", op, "OP, 16 bytes in hex (OPc is derived from Ki and OP)");
  opc_option->excludes(op_option);
  make->add_option("--name", spec.profile_name, "profileName of the StoreMetadata (default: the ICCID)");
  make->add_option("--provider", spec.service_provider_name, "serviceProviderName of the StoreMetadata");
  make->add_option("--metadata", metadata_out, "also write the StoreMetadataRequest (BF25) to this file");
  size_t size = 0;
  make->add_option("--size", size,
                   "grow the package to BYTES with a PE-NonStandard element the card keeps and runs nothing of "
                   "(for benchmarks; default: as made)");
  make->add_option("OUT", out, "profile package file (DER)")->required();

  std::string show_file;
  auto* show = app.add_subcommand("show", "print ICCID, IMSI, USIM AID and algorithm of a profile package");
  show->add_option("FILE", show_file, "profile package (DER)")->required()->check(CLI::ExistingFile);

  CLI11_PARSE(app, argc, argv);

  if (*make) {
    if (opc.empty() == op.empty()) return usage("make needs --opc or --op");
    auto key = rsp::from_hex(ki);
    if (!key) return usage("--ki is not hex");
    spec.ki = std::move(*key);
    auto opx = rsp::from_hex(op.empty() ? opc : op);
    if (!opx) return usage(op.empty() ? "--opc is not hex" : "--op is not hex");
    if (op.empty())
      spec.opc = std::move(*opx);
    else
      spec.op = std::move(*opx);
    auto made = rsp::make_profile_package(spec);
    auto package = made ? rsp::pad_profile_package(*made, size) : made;
    if (made) rsp::wipe(*made);
    if (!package) {
      std::cerr << "rsp-profile make: " << package.error().message << "\n";
      return 1;
    }
    auto metadata = rsp::make_store_metadata(spec);
    // The keys' copies in memory are wiped; the hex of the command line goes with the process.
    rsp::wipe(spec.ki);
    rsp::wipe(spec.opc);
    if (spec.op) rsp::wipe(*spec.op);
    if (!metadata) {
      std::cerr << "rsp-profile make: " << metadata.error().message << "\n";
      return 1;
    }
    // The package holds Ki and OPc: owner-only, written whole or not at all.
    auto written = rsp::files::write_atomic(out, *package, rsp::files::Access::secret);
    rsp::wipe(*package);
    if (!written) {
      std::cerr << "rsp-profile make: " << out << ": " << written.error().message << "\n";
      return 1;
    }
    if (!metadata_out.empty()) {
      if (auto w = rsp::files::write_atomic(metadata_out, *metadata); !w) {
        std::cerr << "rsp-profile make: " << metadata_out << ": " << w.error().message << "\n";
        return 1;
      }
    }
    std::cout << "wrote the profile package of ICCID " << *rsp::iccid::normalise(spec.iccid) << " to " << out << "\n";
    return 0;
  }

  auto bytes = rsp::files::read(show_file);
  if (!bytes) {
    std::cerr << "rsp-profile show: " << bytes.error().message << "\n";
    return 1;
  }
  auto contents = rsp::read_profile_contents(*bytes);
  rsp::wipe(*bytes);
  if (!contents) {
    std::cerr << "rsp-profile show: " << show_file << ": " << contents.error().message << "\n";
    return 1;
  }
  std::cout << "ICCID      " << contents->iccid << "\n";
  if (!contents->usim) {
    std::cout << "USIM       none\n";
    return 0;
  }
  const auto& u = *contents->usim;
  std::cout << "IMSI       " << u.imsi.value_or("(not a valid IMSI)") << "\n"
            << "USIM AID   " << rsp::to_hex(u.aid) << "\n"
            << "algorithm  " << algorithm_name(u.aka.algorithm) << "\n";
  return 0;
}
