#pragma once
// An SM-DP+ with an SQLite store in a temporary directory, an ES2+ service on a clock the test
// moves, and an inventory of made profiles, for the ES2+ suites.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "rsp/profile_maker.hpp"
#include "smdp/es2plus.hpp"
#include "smdp/store.hpp"
#include "support/kit.hpp"

namespace smdp::test {

using nlohmann::json;

inline constexpr const char* kSmdpAddress = "smdp.example.com";
inline constexpr const char* kEid = "89049032123451234512345678901235";       // valid check digits
inline constexpr const char* kOtherEid = "89049032123451234512345678901332";  // valid check digits

// A request of an ES2+ function: `fields` with the mandatory header.
inline json es2_request(json fields) {
  fields["header"] = {{"functionRequesterIdentifier", "test.operator.com"}, {"functionCallIdentifier", "FCI-1"}};
  return fields;
}

// "ok" for Executed-Success, else "subject/reason", e.g. "8.2.1/3.9".
inline std::string outcome(const json& response) {
  const json& status = response.at("header").at("functionExecutionStatus");
  if (status.at("status") == "Executed-Success") return "ok";
  const json& data = status.at("statusCodeData");
  return data.at("subjectCode").get<std::string>() + "/" + data.at("reasonCode").get<std::string>();
}

struct Es2Fixture {
  rsp::test::TempDir dir;
  std::unique_ptr<Store> store;
  int64_t now = 1'700'000'000;
  Es2PlusSettings settings;
  std::unique_ptr<Es2Plus> es2;

  explicit Es2Fixture(Es2PlusSettings custom = {}) : settings(std::move(custom)) {
    store = open_store("sqlite:" + (dir.path() / "smdp.db").string()).value();
    settings.smdp_address = kSmdpAddress;
    settings.order_lifetime = 3600;
    settings.confirmation_code_attempts = 3;
    es2 = std::make_unique<Es2Plus>(*store, settings, [this] { return now; });
  }

  // An available profile of `operator_id` in the inventory: a SAIP package with its metadata.
  ProfileRecord add_profile(const std::string& iccid, const std::string& operator_id,
                            const std::string& type = "Test") {
    rsp::ProfileSpec spec;
    spec.iccid = iccid;
    spec.imsi = "001010000000" + iccid.substr(iccid.size() - 3);
    spec.ki = rsp::Bytes(16, 0x42);
    spec.opc = rsp::Bytes(16, 0x24);
    spec.profile_type = type;
    spec.service_provider_name = operator_id;
    ProfileRecord record;
    record.iccid = iccid;
    record.operator_id = operator_id;
    record.profile_type = type;
    record.package = rsp::make_profile_package(spec).value();
    record.metadata = rsp::make_store_metadata(spec).value();
    if (!store->add_profile(record)) throw std::runtime_error("cannot add profile " + iccid);
    return record;
  }

  ProfileRecord stored(const std::string& iccid) { return store->profile(iccid).value().value(); }
};

// The profile most cases of test_es2plus.cpp and test_es2_callbacks.cpp order.
inline const std::string kIccid = "8900000000000000101";

}  // namespace smdp::test
