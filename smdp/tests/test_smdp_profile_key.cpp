// The smdp program's profile key (issue 13, finding 10) end to end on loopback: profiles sealed in
// the database from `smdp import` through an ES2+ order and its download, the key file made 0600
// at first start and never logged, a wrong or missing key refused with nothing changed,
// `smdp rotate-profile-key`, and a database written in clear by the code before migrated.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include "es9_fixture.hpp"
#include "es9_http_lpa.hpp"
#include "http/http_fixture.hpp"
#include "rsp/crypto/sealing.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/profile_maker.hpp"
#include "smdp/store.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"

namespace {

using rsp::Bytes;
using smdp::test::json;
using smdp::test::status_of;
namespace fs = std::filesystem;

const Bytes kKiA = {0x4B, 0x69, 0x41, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
const Bytes kOpcA = {0x0F, 0x0C, 0x41, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
const Bytes kKiB = {0x4B, 0x69, 0x42, 0x5A, 0x13, 0x37, 0xC0, 0xDE, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28};
constexpr const char* kIccidA = "8949449999999990041";
constexpr const char* kIccidB = "8949449999999990042";

bool holds(const Bytes& contents, const Bytes& secret) {
  return std::search(contents.begin(), contents.end(), secret.begin(), secret.end()) != contents.end();
}

rsp::ProfileSpec spec_of(const std::string& iccid, const Bytes& ki, const Bytes& opc) {
  rsp::ProfileSpec spec;
  spec.iccid = iccid;
  spec.imsi = "00101000000" + iccid.substr(iccid.size() - 4);
  spec.ki = ki;
  spec.opc = opc;
  spec.notification_address = "localhost";
  return spec;
}

struct Lab {
  rsp::test::TempDir dir;
  fs::path pki = dir.path() / "pki";
  fs::path db_file = dir.path() / "smdp.db";
  std::string db = "sqlite:" + db_file.string();
  fs::path key_file = dir.path() / "profile-key";  // the default: beside the SQLite file
  fs::path operator_pem = dir.path() / "operator-a.pem";
  rsp::http::TlsIdentity operator_identity = rsp::test::self_signed_client("operator-a");
  rsp::crypto::Certificate ci = make_pki(pki);

  static rsp::crypto::Certificate make_pki(const fs::path& dir) {
    REQUIRE(rsp::pki::make(dir, rsp::pki::MakeOptions{}));  // dp-tls for localhost
    return rsp::pki::load_certificate(dir, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::ci).value();
  }
  Lab() { REQUIRE(rsp::files::write_atomic(operator_pem, operator_identity.chain.front().pem())); }
  std::string common() const {
    return " --pki " + pki.string() + " --db " + db + " --operator operator-a=" + operator_pem.string();
  }
  rsp::test::CommandResult smdp(const std::string& args, const std::string& environment = "") const {
    return rsp::test::run_command(environment + std::string(RSP_BINARY_DIR) + "/smdp " + args + " 2>&1");
  }
  rsp::test::CommandResult import(const std::string& iccid, const Bytes& ki,
                                  const std::string& environment = "") const {
    fs::path file = dir.path() / (iccid + ".der");
    REQUIRE(rsp::files::write_atomic(file, rsp::make_profile_package(spec_of(iccid, ki, kOpcA)).value()));
    return smdp("import" + common() + " --profile-type test --protect " + file.string(), environment);
  }
  // The database as a copy of it would hold it: the file and its WAL.
  Bytes raw() const {
    Bytes all = rsp::files::read(db_file).value();
    if (auto wal = rsp::files::read(fs::path(db_file) += "-wal")) all.insert(all.end(), wal->begin(), wal->end());
    return all;
  }
  // Every file of a card's state directory, concatenated.
  static Bytes raw_state(const fs::path& state) {
    Bytes all;
    for (const auto& entry : fs::recursive_directory_iterator(state))
      if (entry.is_regular_file()) {
        Bytes contents = rsp::files::read(entry.path()).value();
        all.insert(all.end(), contents.begin(), contents.end());
      }
    return all;
  }
  // A profile's row as stored (no key: sealed values come as they are).
  smdp::ProfileRecord stored(const std::string& iccid) const {
    return smdp::open_store(db).value()->profile(iccid).value().value();
  }
  std::string key_text() const { return rsp::test::read_text(key_file); }
};

// `smdp serve` on the lab's database, stopped when it goes.
struct Served {
  rsp::test::ChildProcess process;
  std::string es9, es2;
  explicit Served(const Lab& lab)
      : process(
            "smdp", lab.dir.path(),
            {"serve", "--pki", lab.pki.string(), "--db", lab.db, "--operator",
             "operator-a=" + lab.operator_pem.string(), "--es9-listen", "127.0.0.1:0", "--es2-listen", "127.0.0.1:0"}) {
    es9 = "https://localhost:" + process.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)") +
          "/gsma/rsp2/es9plus/";
    es2 = "https://localhost:" + process.wait_for("ES2\\+ on port (\\d+)") + "/gsma/rsp2/es2plus/";
  }
};

// An ES2+ order of `iccid` released at once; its matchingId.
std::string order(const Lab& lab, const Served& smdp, const std::string& iccid) {
  rsp::http::ClientOptions options;
  options.trusted_cas.push_back(lab.ci);
  options.client_identity = lab.operator_identity;
  auto client = rsp::http::Client::create(options).value();
  json header = {{"functionRequesterIdentifier", "operator-a"}, {"functionCallIdentifier", "1"}};
  auto ordered = smdp::test::post_json(client, smdp.es2 + "downloadOrder", {{"header", header}, {"iccid", iccid}});
  REQUIRE(ordered);
  REQUIRE(status_of(*ordered) == "Executed-Success");
  auto confirmed = smdp::test::post_json(client, smdp.es2 + "confirmOrder",
                                         {{"header", header}, {"iccid", iccid}, {"releaseFlag", true}});
  REQUIRE(confirmed);
  REQUIRE(status_of(*confirmed) == "Executed-Success");
  return (*confirmed)["matchingId"];
}

// A whole download of `matching_id` into a fresh card in `state`, with its installation result.
void download(const Lab& lab, const Served& smdp, const std::string& matching_id, const fs::path& state) {
  euicc::Options card_options;
  card_options.state_dir = state;
  card_options.pki_dir = lab.pki;
  auto card = euicc::Euicc::open(card_options).value();
  auto device = rsp::test::client_trusting(lab.ci);
  smdp::test::Es9HttpLpa lpa(device, *card, "localhost");
  auto initiated = lpa.initiate_authentication(smdp.es9);
  REQUIRE(initiated);
  REQUIRE(status_of(*initiated) == "Executed-Success");
  auto downloaded = lpa.finish_download(smdp.es9, smdp.es9, matching_id);
  INFO(downloaded.failure);
  REQUIRE(downloaded.failure.empty());
  REQUIRE(lpa.handle_notification(smdp.es9, downloaded.installation_result));
}

mode_t mode_of(const fs::path& file) {
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

}  // namespace

TEST_CASE(
    "smdp: profiles sealed from import to download, the key 0600 and unlogged, a wrong or missing key refused, rotation",
    "[smdp][process][sealing]") {
  Lab lab;
  auto imported = lab.import(kIccidA, kKiA);
  INFO(imported.out);
  REQUIRE(imported.status == 0);
  CHECK(imported.out.find("made the profile key " + lab.key_file.string()) != std::string::npos);
  CHECK(mode_of(lab.key_file) == 0600);
  const std::string key_hex = lab.key_text().substr(0, 64);
  CHECK(imported.out.find(key_hex) == std::string::npos);
  CHECK_FALSE(holds(lab.raw(), kKiA));
  CHECK_FALSE(holds(lab.raw(), kOpcA));
  const auto key_id = smdp::profile_key_id(lab.db).value().value();

  {
    Served smdp(lab);
    const std::string matching_id = order(lab, smdp, kIccidA);
    download(lab, smdp, matching_id, lab.dir.path() / "card-a");
    CHECK(lab.stored(kIccidA).state == smdp::ProfileState::installed);
    CHECK(lab.stored(kIccidA).package.empty());  // installed: erased from the store
    const std::string log = smdp.process.output();
    CHECK(log.find("event=profile-key") != std::string::npos);
    CHECK(log.find(rsp::to_hex(key_id)) != std::string::npos);
    CHECK(log.find(key_hex) == std::string::npos);
  }
  CHECK_FALSE(holds(lab.raw(), kKiA));  // after the order and the download
  CHECK_FALSE(holds(lab.raw(), kOpcA));
  CHECK_FALSE(holds(Lab::raw_state(lab.dir.path() / "card-a"), kKiA));  // nor the card's state
  CHECK_FALSE(holds(Lab::raw_state(lab.dir.path() / "card-a"), kOpcA));

  const Bytes package_before = lab.stored(kIccidA).package;
  SECTION("another key, or none, is refused and changes nothing") {
    const std::string other = rsp::crypto::SealingKey::generate().to_key_file_text().substr(0, 64);
    auto wrong = lab.import(kIccidB, kKiB, "SMDP_PROFILE_KEY=" + other + " ");
    INFO(wrong.out);
    CHECK(wrong.status == 1);
    CHECK(wrong.out.find("sealed with key id " + rsp::to_hex(key_id)) != std::string::npos);
    CHECK(wrong.out.find("$SMDP_PROFILE_KEY") != std::string::npos);
    CHECK(wrong.out.find(other) == std::string::npos);

    fs::rename(lab.key_file, lab.dir.path() / "kept-key");
    auto missing = lab.import(kIccidB, kKiB);
    INFO(missing.out);
    CHECK(missing.status == 1);
    CHECK(missing.out.find("is missing, and the database's profiles are sealed with key id " + rsp::to_hex(key_id)) !=
          std::string::npos);
    CHECK_FALSE(fs::exists(lab.key_file));  // no new key over sealed profiles

    ::chmod((lab.dir.path() / "kept-key").c_str(), 0644);
    auto open_to_others =
        lab.smdp("import" + lab.common() + " --profile-key " + (lab.dir.path() / "kept-key").string() + " " +
                 (lab.dir.path() / (std::string(kIccidA) + ".der")).string());
    CHECK(open_to_others.status == 1);
    CHECK(open_to_others.out.find("chmod 600") != std::string::npos);

    CHECK_FALSE(smdp::open_store(lab.db).value()->profile(kIccidB).value());
    CHECK(lab.stored(kIccidA).package == package_before);
    CHECK(smdp::profile_key_id(lab.db).value().value() == key_id);
  }
  SECTION("rotation seals every profile under a new key, and downloads go on") {
    REQUIRE(lab.import(kIccidB, kKiB).status == 0);
    auto rotated = lab.smdp("rotate-profile-key --db " + lab.db);
    INFO(rotated.out);
    REQUIRE(rotated.status == 0);
    const auto new_id = smdp::profile_key_id(lab.db).value().value();
    CHECK(new_id != key_id);
    CHECK(rotated.out.find("2 profiles sealed again: key id " + rsp::to_hex(key_id) + " -> " + rsp::to_hex(new_id)) !=
          std::string::npos);
    CHECK(lab.key_text().substr(0, 64) != key_hex);
    CHECK(mode_of(lab.key_file) == 0600);
    CHECK_FALSE(fs::exists(fs::path(lab.key_file) += ".new"));
    CHECK(rsp::crypto::sealed_key_id(lab.stored(kIccidB).package) == new_id);
    CHECK(lab.stored(kIccidA).package.empty());  // erased at installation, still empty
    CHECK(rsp::crypto::sealed_key_id(lab.stored(kIccidB).ppk_enc) == new_id);
    CHECK_FALSE(holds(lab.raw(), kKiA));
    CHECK_FALSE(holds(lab.raw(), kKiB));

    Served smdp(lab);
    download(lab, smdp, order(lab, smdp, kIccidB), lab.dir.path() / "card-b");
    CHECK(lab.stored(kIccidB).state == smdp::ProfileState::installed);

    // Into a named file: the database follows it, the configuration must name it from now on.
    smdp.process.stop();
    const fs::path named = lab.dir.path() / "next-key";
    auto to_file = lab.smdp("rotate-profile-key --db " + lab.db + " --new-key-file " + named.string());
    INFO(to_file.out);
    REQUIRE(to_file.status == 0);
    CHECK(mode_of(named) == 0600);
    CHECK(to_file.out.find("--profile-key " + named.string()) != std::string::npos);
    constexpr const char* kIccidC = "8949449999999990043";
    auto with_old_file = lab.import(kIccidC, kKiB);  // the default file holds the key before: it opens nothing now
    CHECK(with_old_file.status == 1);
    CHECK(with_old_file.out.find("sealed with key id " + rsp::to_hex(smdp::profile_key_id(lab.db).value().value())) !=
          std::string::npos);
    auto with_named = lab.smdp("import" + lab.common() + " --profile-key " + named.string() + " --profile-type test " +
                               (lab.dir.path() / (std::string(kIccidC) + ".der")).string());
    INFO(with_named.out);
    CHECK(with_named.status == 0);
  }
}

TEST_CASE("smdp: a database written in clear by the code before is sealed at its first start and still downloads",
          "[smdp][process][sealing]") {
  Lab lab;
  {
    // As the code before sealing wrote it: a released order, its package in clear.
    auto store = smdp::open_store(lab.db).value();
    const rsp::ProfileSpec spec = spec_of(kIccidA, kKiA, kOpcA);
    smdp::ProfileRecord p = smdp::test::released_order(kIccidA, "CLEAR-BEFORE", time(nullptr) + 3600);
    p.package = rsp::make_profile_package(spec).value();
    p.metadata = rsp::make_store_metadata(spec).value();
    REQUIRE(store->add_profile(p));
  }
  REQUIRE(holds(lab.raw(), kKiA));
  REQUIRE_FALSE(fs::exists(lab.key_file));

  Served smdp(lab);
  CHECK(smdp.process.output().find("created=true") != std::string::npos);
  CHECK(mode_of(lab.key_file) == 0600);
  CHECK_FALSE(holds(lab.raw(), kKiA));
  CHECK_FALSE(holds(lab.raw(), kOpcA));
  CHECK(rsp::crypto::is_sealed(lab.stored(kIccidA).package));
  download(lab, smdp, "CLEAR-BEFORE", lab.dir.path() / "card");
  CHECK(lab.stored(kIccidA).state == smdp::ProfileState::installed);
}
