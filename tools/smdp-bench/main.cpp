// smdp-bench: the SM-DP+'s throughput on this machine. Full profile downloads per second, the
// SM-DP+'s CPU per download apart from the cards', latency per ES9+ function, and the crypto
// floor (the public-key operations alone) to compare with. In-process by default: an Es9Plus over
// SQLite (or PostgreSQL with --db) and software eUICCs, relayed by worker threads as LPAs would.
// With --url the same downloads go over HTTPS to a running `smdp serve`, whose PKI (--pki) and
// database (--db) the bench shares to make cards and orders.
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <barrier>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "crypto_floor.hpp"
#include "download_relay.hpp"
#include "fleet.hpp"
#include "https_es9.hpp"
#include "inventory.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/sql/group_commit.hpp"
#include "report.hpp"
#include "server_metrics.hpp"
#include "targets.hpp"

namespace {

using namespace smdp_bench;

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double load_average() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : 0;
}

// One worker: its downloads in order, each card taking profiles_per_card of them.
void run_share(Es9Endpoint& smdp, const std::string& address, WorkerShare& share, size_t profiles_per_card, Tally& tally) {
  for (size_t i = 0; i < share.matching_ids.size(); ++i) {
    auto& card = *share.cards[i / profiles_per_card];
    Stopwatch watch;
    if (auto done = relay_download(smdp, card, address, share.matching_ids[i], tally); done) {
      ++tally.completed;
      tally.download.add(watch);
    } else
      tally.fail(done.error().message);
  }
}

// Every worker's downloads at once, the clock running from the common start to the last join.
Tally run_downloads(Fleet& fleet, Es9Endpoint& smdp, RunFacts& facts) {
  auto& shares = fleet.shares();
  std::vector<Tally> tallies(shares.size());
  std::barrier start(static_cast<std::ptrdiff_t>(shares.size() + 1));
  std::vector<std::thread> workers;
  for (size_t w = 0; w < shares.size(); ++w)
    workers.emplace_back([&, w] {
      start.arrive_and_wait();
      run_share(smdp, fleet.options().smdp_address, shares[w], fleet.profiles_per_card(), tallies[w]);
    });
  facts.load_average = load_average();
  double cpu_before = process_cpu_seconds();
  start.arrive_and_wait();
  auto began = std::chrono::steady_clock::now();
  for (auto& worker : workers) worker.join();
  facts.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  facts.process_cpu_seconds = process_cpu_seconds() - cpu_before;
  Tally total;
  for (const auto& t : tallies) total.merge(t);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"smdp-bench: full profile downloads per second and the SM-DP+'s CPU per download"};
  int downloads = 200;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string curve_name = "nist", db_url, url, pki, smdp_address;
  size_t profile_size = 0;
  bool as_json = false, no_floor = false;
  size_t inventory = 0, inventory_orders = 200;
  app.add_option("--downloads", downloads, "full downloads to run (one order each)")->check(CLI::Range(1, 1000000));
  app.add_option("--threads", threads, "worker threads relaying downloads (default: hardware threads)")->check(CLI::Range(1, 1024));
  app.add_option("--curve", curve_name, "the PKI's curve")->check(CLI::IsMember({"nist", "brainpool"}));
  app.add_option("--profile-size", profile_size, "pad each profile package to BYTES (default: the profile maker's size)");
  app.add_option("--db", db_url, "the SM-DP+ store: sqlite:PATH or postgresql://... (default: SQLite in a temporary directory)");
  auto* url_option = app.add_option("--url", url, "https://HOST:PORT of a running `smdp serve` (ES9+ JSON binding); needs --pki and --db");
  app.add_option("--pki", pki, "with --url: the SM-DP+'s rsp-pki directory (its CI is trusted; its EUM issues the cards)")
      ->needs(url_option)->check(CLI::ExistingDirectory);
  app.add_option("--smdp-address", smdp_address, "with --url: the SM-DP+ address it answers as (default: the URL's host)")
      ->needs(url_option);
  app.add_option("--inventory", inventory,
                 "first import N more available profiles into the store (bulk import, timed) and time ES2+ order creation on them");
  app.add_option("--inventory-orders", inventory_orders, "with --inventory: DownloadOrder+ConfirmOrder pairs to time (default 200)");
  std::string metrics_url;
  app.add_option("--metrics", metrics_url, "with --url: http://HOST:PORT/metrics of that `smdp serve` (--metrics-listen), for its own CPU and time per call")
      ->needs(url_option);
  app.add_flag("--json", as_json, "print one JSON object instead of lines");
  app.add_flag("--no-crypto-floor", no_floor, "skip the crypto micro-benchmark");
  CLI11_PARSE(app, argc, argv);
  if (!url.empty() && (pki.empty() || db_url.empty())) {
    std::cerr << "smdp-bench: --url needs --pki (the SM-DP+'s PKI) and --db (its database, for the orders)\n";
    return 2;
  }

  FleetOptions options;
  options.downloads = downloads;
  options.workers = std::min(threads, downloads);
  options.curve = rsp::crypto::curve_from_name(curve_name).value();
  options.profile_size = profile_size;
  options.db_url = db_url;
  options.pki = pki;
  if (!url.empty()) {
    // https://HOST:PORT -> HOST
    std::string host = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
    options.smdp_address = smdp_address.empty() ? host.substr(0, host.find_first_of(":/")) : smdp_address;
  }
  auto fleet = Fleet::create(options);
  if (!fleet) {
    std::cerr << "smdp-bench: " << fleet.error().message << "\n";
    return 1;
  }

  RunFacts facts;
  facts.mode = url.empty() ? "in-process" : url;
  facts.curve = curve_name;
  facts.store = db_url.rfind("postgres", 0) == 0 ? "postgresql" : "sqlite";
  facts.downloads = downloads;
  facts.threads = options.workers;
  facts.cards = (*fleet)->card_count();
  facts.cards_in_memory = (*fleet)->cards_in_memory();
  facts.profile_package_bytes = (*fleet)->profile_package_bytes();
  std::unique_ptr<Es9Endpoint> smdp;
  const HttpsEs9* https_smdp = nullptr;
  if (url.empty()) {
    smdp = std::make_unique<InProcessEs9>((*fleet)->es9());
  } else {
    auto ci = rsp::pki::load_certificate(pki, options.curve, rsp::crypto::Role::ci);
    auto https = ci ? HttpsEs9::create(url, *ci) : rsp::Expected<HttpsEs9>(rsp::Unexpected{ci.error()});
    if (!https) {
      std::cerr << "smdp-bench: " << https.error().message << "\n";
      return 1;
    }
    auto endpoint = std::make_unique<HttpsEs9>(std::move(*https));
    https_smdp = endpoint.get();
    smdp = std::move(endpoint);
    facts.smdp_cpu_measured = false;
  }
  std::optional<InventoryFigures> stock;
  if (inventory > 0) {
    const std::string store_url = db_url.empty() ? "sqlite:" + ((*fleet)->directory() / "smdp.db").string() : db_url;
    auto filled = fill_inventory_and_order(store_url, inventory, inventory_orders, options.smdp_address, profile_size);
    if (!filled) {
      std::cerr << "smdp-bench: " << filled.error().message << "\n";
      return 1;
    }
    stock = *filled;
  }
  const uint64_t syncs_before = rsp::sql::sqlite_sync_count();
  auto metrics_client = rsp::http::Client::create({});
  auto server_sample = [&]() -> rsp::Expected<ServerSample> {
    if (!metrics_client) return rsp::Unexpected{metrics_client.error()};
    return scrape(*metrics_client, metrics_url);
  };
  std::optional<ServerSample> server_before;
  if (!metrics_url.empty()) {
    auto sample = server_sample();
    if (!sample) {
      std::cerr << "smdp-bench: " << sample.error().message << "\n";
      return 1;
    }
    server_before = *sample;
  }
  Tally tally = run_downloads(**fleet, *smdp, facts);
  if (server_before) {
    auto after = server_sample();
    if (!after) {
      std::cerr << "smdp-bench: " << after.error().message << "\n";
      return 1;
    }
    facts.server = after->since(*server_before);
  }
  if (url.empty() && facts.store == "sqlite") facts.store_syncs = rsp::sql::sqlite_sync_count() - syncs_before;
  if (https_smdp) facts.connections_opened = https_smdp->connections_opened();

  std::optional<CryptoFloor> floor;
  if (!no_floor) floor = measure_crypto_floor(options.curve);
  auto report = to_json(facts, tally, floor);
  report["targets"] = evaluate_targets(report);
  if (stock) report["inventory"] = to_json(*stock);
  std::cout << (as_json ? report.dump(2) + "\n" : to_text(report) + (stock ? to_text(*stock) : ""));
  return tally.failed == 0 ? 0 : 1;
}
