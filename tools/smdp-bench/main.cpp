// smdp-bench: the SM-DP+'s throughput on this machine. Full profile downloads per second, the
// SM-DP+'s CPU per download apart from the cards', latency per ES9+ function, and the crypto
// floor (the public-key operations alone) to compare with. In-process by default: an Es9Plus over
// SQLite (or PostgreSQL with --db) and software eUICCs, relayed by worker threads as LPAs would.
// With --url the same downloads go over HTTPS to a running `smdp serve`, whose PKI (--pki) and
// database (--db) the bench shares to make cards and orders.
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <barrier>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "crypto_floor.hpp"
#include "download_relay.hpp"
#include "fleet.hpp"
#include "https_es9.hpp"
#include "inventory.hpp"
#include "report.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/sql/group_commit.hpp"
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

using Clock = std::chrono::steady_clock;

// One worker: its downloads in order, each card taking profiles_per_card of them; with a deadline
// (a run for a given time) until it passes, each full card replaced by a new one.
void run_share(Fleet& fleet, Es9Endpoint& smdp, WorkerShare& share, std::optional<Clock::time_point> deadline,
               Tally& tally) {
  const size_t per_card = fleet.profiles_per_card();
  for (size_t i = 0; i < share.matching_ids.size(); ++i) {
    if (deadline && Clock::now() >= *deadline) return;
    if (fleet.options().cards_on_demand && i > 0 && i % per_card == 0)
      if (auto renewed = fleet.next_card(share); !renewed) {
        tally.fail(renewed.error().message);
        return;
      }
    auto& card = fleet.options().cards_on_demand ? *share.cards.back() : *share.cards[i / per_card];
    Stopwatch watch;
    if (auto done = relay_download(smdp, card, fleet.options().smdp_address, share.matching_ids[i], tally); done) {
      ++tally.completed;
      tally.download.add(watch);
    } else
      tally.fail(done.error().message);
  }
  if (deadline && Clock::now() < *deadline) tally.ran_out = true;
}

// Every worker's downloads at once, the clock running from the common start to the last join.
Tally run_downloads(Fleet& fleet, Es9Endpoint& smdp, double duration_seconds, RunFacts& facts) {
  auto& shares = fleet.shares();
  std::vector<Tally> tallies(shares.size());
  std::barrier start(static_cast<std::ptrdiff_t>(shares.size() + 1));
  std::optional<Clock::time_point> deadline;
  std::vector<std::thread> workers;
  for (size_t w = 0; w < shares.size(); ++w)
    workers.emplace_back([&, w] {
      start.arrive_and_wait();
      run_share(fleet, smdp, shares[w], deadline, tallies[w]);
    });
  facts.load_average = load_average();
  double cpu_before = process_cpu_seconds();
  auto began = Clock::now();
  if (duration_seconds > 0) {
    deadline = began + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration_seconds));
    // The line a soak waits for: the set-up is over, the load begins.
    std::cerr << "smdp-bench: downloads running for " << duration_seconds << " s" << std::endl;
  }
  start.arrive_and_wait();
  for (auto& worker : workers) worker.join();
  facts.wall_seconds = std::chrono::duration<double>(Clock::now() - began).count();
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
  double duration = 0;
  auto* downloads_option =
      app.add_option("--downloads", downloads,
                     "full downloads to run (one order each); with --duration the orders made beforehand")
          ->check(CLI::Range(1, 2000000));
  app.add_option(
         "--duration", duration,
         "run downloads for SECONDS (a soak), cards made as they fill; fails if the --downloads orders (default 700 a "
         "second) run out first")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--threads", threads, "worker threads relaying downloads (default: hardware threads)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--curve", curve_name, "the PKI's curve")->check(CLI::IsMember({"nist", "brainpool"}));
  app.add_option("--profile-size", profile_size,
                 "pad each profile package to BYTES (default: the profile maker's size)");
  app.add_option("--db", db_url,
                 "the SM-DP+ store: sqlite:PATH or postgresql://... (default: SQLite in a temporary directory)");
  auto* url_option = app.add_option(
      "--url", url, "https://HOST:PORT of a running `smdp serve` (ES9+ JSON binding); needs --pki and --db");
  app.add_option("--pki", pki,
                 "with --url: the SM-DP+'s rsp-pki directory (its CI is trusted; its EUM issues the cards)")
      ->needs(url_option)
      ->check(CLI::ExistingDirectory);
  app.add_option("--smdp-address", smdp_address,
                 "with --url: the SM-DP+ address it answers as (default: the URL's host)")
      ->needs(url_option);
  app.add_option(
      "--inventory", inventory,
      "first import N more available profiles into the store (bulk import, timed) and time ES2+ order creation on them");
  app.add_option("--inventory-orders", inventory_orders,
                 "with --inventory: DownloadOrder+ConfirmOrder pairs to time (default 200)");
  std::string metrics_url;
  app.add_option(
         "--metrics", metrics_url,
         "with --url: http://HOST:PORT/metrics of that `smdp serve` (--metrics-listen), for its own CPU and time per call")
      ->needs(url_option);
  bool seal = false;
  app.add_flag(
      "--seal", seal,
      "profiles sealed at rest as `smdp serve` keeps them: under $SMDP_PROFILE_KEY when set (as the server's), else a "
      "random key for this run (default: in clear, as before issue 13 finding 10)");
  app.add_flag("--json", as_json, "print one JSON object instead of lines");
  app.add_flag("--no-crypto-floor", no_floor, "skip the crypto micro-benchmark");
  CLI11_PARSE(app, argc, argv);
  if (!url.empty() && (pki.empty() || db_url.empty())) {
    std::cerr << "smdp-bench: --url needs --pki (the SM-DP+'s PKI) and --db (its database, for the orders)\n";
    return 2;
  }

  if (duration > 0 && downloads_option->count() == 0) downloads = static_cast<int>(std::min(2000000.0, duration * 700));

  FleetOptions options;
  options.downloads = downloads;
  options.cards_on_demand = duration > 0;
  options.workers = std::min(threads, downloads);
  options.curve = rsp::crypto::curve_from_name(curve_name).value();
  options.profile_size = profile_size;
  options.db_url = db_url;
  options.pki = pki;
  if (seal) {
    const char* variable = std::getenv("SMDP_PROFILE_KEY");
    auto key =
        variable && *variable ? rsp::crypto::SealingKey::from_hex(variable) : rsp::crypto::SealingKey::generate();
    if (!key) {
      std::cerr << "smdp-bench: $SMDP_PROFILE_KEY holds no key (" << key.error().message << ")\n";
      return 2;
    }
    options.profile_key = std::move(*key);
  }
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
    auto filled = fill_inventory_and_order(store_url, options.profile_key ? &*options.profile_key : nullptr, inventory,
                                           inventory_orders, options.smdp_address, profile_size);
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
  Tally tally = run_downloads(**fleet, *smdp, duration, facts);
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
  facts.cards = (*fleet)->card_count();

  std::optional<CryptoFloor> floor;
  if (!no_floor) floor = measure_crypto_floor(options.curve);
  auto report = to_json(facts, tally, floor);
  report["targets"] = evaluate_targets(report);
  if (stock) report["inventory"] = to_json(*stock);
  std::cout << (as_json ? report.dump(2) + "\n" : to_text(report) + (stock ? to_text(*stock) : ""));
  if (tally.ran_out)
    std::cerr << "smdp-bench: the " << downloads << " orders ran out after " << facts.wall_seconds << " s of "
              << duration << " s: give --downloads more\n";
  return tally.failed == 0 && !tally.ran_out ? 0 : 1;
}
