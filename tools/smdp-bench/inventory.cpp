#include "inventory.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "number_format.hpp"
#include "rsp/profile_maker.hpp"
#include "smdp/es2plus.hpp"
#include "smdp/store.hpp"

namespace smdp_bench {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kOperator = "bench-operator";
constexpr const char* kProfileType = "bench-inventory";
constexpr size_t kImportChunk = 10000;  // records built and handed to the store at a time

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool succeeded(const nlohmann::json& response) {
  return response.at("header").at("functionExecutionStatus").at("status") == "Executed-Success";
}

nlohmann::json es2_request(nlohmann::json fields) {
  fields["header"] = {{"functionRequesterIdentifier", kOperator}, {"functionCallIdentifier", "smdp-bench"}};
  return fields;
}

}  // namespace

rsp::Expected<InventoryFigures> fill_inventory_and_order(const std::string& store_url,
                                                         const rsp::crypto::SealingKey* profile_key, size_t profiles,
                                                         size_t orders, const std::string& smdp_address,
                                                         size_t profile_size) {
  auto store = smdp::open_store(store_url, profile_key);
  if (!store) return rsp::fail("inventory store: " + store.error().message);
  InventoryFigures figures;

  // One package and metadata for all: the inventory's rows differ in their ICCID only.
  rsp::ProfileSpec spec;
  spec.iccid = "8998000000000000000";
  spec.imsi = "001010000000000";
  spec.ki = rsp::Bytes(16, 0x11);
  spec.opc = rsp::Bytes(16, 0x22);
  spec.service_provider_name = "Bench SP";
  spec.notification_address = smdp_address;
  auto made = rsp::make_profile_package(spec);
  auto package = made ? rsp::pad_profile_package(*made, profile_size) : made;
  if (!package) return rsp::fail("inventory profile: " + package.error().message);
  auto metadata = rsp::make_store_metadata(spec);
  if (!metadata) return rsp::fail("inventory metadata: " + metadata.error().message);
  const uint64_t run = std::random_device{}() % 100000;
  std::vector<smdp::ProfileRecord> chunk;
  const auto import_start = Clock::now();
  for (size_t start = 0; start < profiles; start += kImportChunk) {
    chunk.clear();
    for (size_t i = start; i < std::min(profiles, start + kImportChunk); ++i) {
      smdp::ProfileRecord& p = chunk.emplace_back();
      p.iccid = "8998" + digits(run, 5) + digits(i, 10);
      p.operator_id = kOperator;
      p.profile_type = kProfileType;
      p.package = *package;
      p.metadata = *metadata;
    }
    auto added = (*store)->add_profiles(chunk);
    if (!added) return rsp::fail("inventory import: " + added.error().message);
    figures.profiles += static_cast<size_t>(*added);
  }
  figures.import_seconds = ms_since(import_start) / 1000;

  smdp::Es2PlusSettings settings;
  settings.smdp_address = smdp_address;
  smdp::Es2Plus es2(**store, settings);
  std::vector<double> times;
  for (size_t i = 0; i < orders; ++i) {
    const auto start = Clock::now();
    auto ordered = es2.download_order(kOperator, es2_request({{"profileType", kProfileType}}));
    if (!succeeded(ordered)) return rsp::fail("DownloadOrder on the inventory: " + ordered.dump());
    auto confirmed = es2.confirm_order(kOperator, es2_request({{"iccid", ordered.at("iccid")}, {"releaseFlag", true}}));
    if (!succeeded(confirmed)) return rsp::fail("ConfirmOrder on the inventory: " + confirmed.dump());
    times.push_back(ms_since(start));
  }
  figures.orders = times.size();
  if (!times.empty()) {
    std::ranges::sort(times);
    figures.order_p50_ms = times[times.size() / 2];
    figures.order_p95_ms = times[std::min(times.size() - 1, times.size() * 95 / 100)];
    double sum = 0;
    for (double t : times) sum += t;
    figures.order_mean_ms = sum / static_cast<double>(times.size());
  }
  return figures;
}

nlohmann::json to_json(const InventoryFigures& f) {
  return {
      {"profiles_imported", f.profiles},
      {"import_seconds", f.import_seconds},
      {"import_profiles_per_second", f.import_seconds > 0 ? static_cast<double>(f.profiles) / f.import_seconds : 0.0},
      {"orders", f.orders},
      {"order_ms_p50", f.order_p50_ms},
      {"order_ms_mean", f.order_mean_ms},
      {"order_ms_p95", f.order_p95_ms}};
}

std::string to_text(const InventoryFigures& f) {
  char text[512];
  std::snprintf(text, sizeof text,
                "inventory: %zu profiles imported in %.2f s (%.0f/s)\n"
                "order creation (DownloadOrder by profileType + ConfirmOrder): %zu orders, p50 %.2f ms, mean %.2f ms, "
                "p95 %.2f ms\n",
                f.profiles, f.import_seconds,
                f.import_seconds > 0 ? static_cast<double>(f.profiles) / f.import_seconds : 0.0, f.orders,
                f.order_p50_ms, f.order_mean_ms, f.order_p95_ms);
  return text;
}

}  // namespace smdp_bench
