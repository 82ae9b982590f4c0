// The rsp-profile tool, run as a process: `make` writes the package 0600 (it holds Ki) and the StoreMetadata,
// `show` prints ICCID, IMSI, AID and algorithm but never a key; bad input exits 1, usage errors 2.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <cctype>

#include <cstdio>
#include <string>

#include "rsp/asn1/types.hpp"
#include "rsp/files.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

using namespace rsp;

using Run = rsp::test::CommandResult;

Run rsp_profile(const std::string& args) {
  return rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/rsp-profile " + args +
                                " 2>&1");  // stdout and stderr together
}

const std::string kKi = "465b5ce8b199b49faa5f0a2ee238a6bc";
const std::string kOp = "cdc202d5123e20f62b6d676ac72cb318";
const std::string kOpc = "cd63cb71954a9f4e48a5994e37a02baf";

bool mentions_key(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text.find(kKi) != std::string::npos || text.find(kOpc) != std::string::npos ||
         text.find(kOp) != std::string::npos;
}

}  // namespace

TEST_CASE("rsp-profile make writes a 0600 package and its StoreMetadata; show prints no key", "[profile-maker][cli]") {
  test::TempDir dir;
  auto package = dir.path() / "profile.der";
  auto metadata = dir.path() / "metadata.der";
  Run made = rsp_profile("make --iccid 89000123456789012341 --imsi 001010123456789 --ki " + kKi + " --op " + kOp +
                         " --name Demo --provider 'Demo SP' --metadata " + metadata.string() + " " + package.string());
  INFO(made.out);
  REQUIRE(made.status == 0);
  CHECK_FALSE(mentions_key(made.out));

  struct stat st {};
  REQUIRE(::stat(package.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto* type = asn1::find_type("StoreMetadataRequest");
  REQUIRE(type);
  CHECK(asn1::decode(*type, files::read(metadata).value()));

  Run shown = rsp_profile("show " + package.string());
  INFO(shown.out);
  REQUIRE(shown.status == 0);
  CHECK(shown.out.find("89000123456789012341") != std::string::npos);
  CHECK(shown.out.find("001010123456789") != std::string::npos);
  CHECK(shown.out.find("A0000000871002FF49FF0589") != std::string::npos);
  CHECK(shown.out.find("MILENAGE") != std::string::npos);
  CHECK_FALSE(mentions_key(shown.out));
}

TEST_CASE("rsp-profile refuses bad input (1) and bad usage (2), writing nothing", "[profile-maker][cli]") {
  test::TempDir dir;
  auto out = dir.path() / "profile.der";
  Run bad_key = rsp_profile("make --iccid 89000123456789012341 --imsi 001010123456789 --ki 0011 --opc " + kOpc + " " +
                            out.string());
  CHECK(bad_key.status == 1);
  CHECK(bad_key.out.find("Ki") != std::string::npos);
  CHECK_FALSE(mentions_key(bad_key.out));
  CHECK(rsp_profile("make --iccid 123 --imsi 001010123456789 --ki " + kKi + " --opc " + kOpc + " " + out.string())
            .status == 1);
  CHECK(
      rsp_profile("make --iccid 89000123456789012341 --imsi 001010123456789 --ki " + kKi + " " + out.string()).status ==
      2);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(rsp_profile("show " + (dir.path() / "missing.der").string()).status != 0);
}
