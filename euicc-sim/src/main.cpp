// euicc-sim: the software eUICC as a process. One card per state directory, served over TCP with
// vpcd framing (--listen) or as a virtual card in pcscd through the vpcd reader (--vpcd).
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

#include "euicc/card.hpp"
#include "euicc/euicc.hpp"
#include "euicc/vpcd_link.hpp"

int main(int argc, char** argv) {
  CLI::App app{"euicc-sim: a software eUICC (SGP.22 v2.5 / SGP.32 v1.2) for tests and conformance work"};
  euicc::Options options;
  std::string pki, listen, vpcd;
  std::vector<std::string> faults;
  app.add_option("--state", options.state_dir, "the card's state directory (created on first start)")->required();
  app.add_option("--pki", pki, "first start: take the card's credentials from this rsp-pki directory");
  app.add_option("--eid", options.eid, "first start without --pki: the EID of the generated eUICC certificate");
  app.add_option("--default-smdp", options.default_dp_address,
                 "first start: the default SM-DP+ address (over config.json's defaultDpAddress)");
  app.add_option("--root-smds", options.root_ds_address,
                 "first start: the root SM-DS address (over config.json's rootDsAddress; default lpa.ds.gsma.com)");
  auto* listen_opt = app.add_option("--listen", listen, "serve the card over TCP (vpcd framing) on HOST:PORT");
  auto* vpcd_opt =
      app.add_option("--vpcd", vpcd, "connect to pcscd's vpcd reader at HOST:PORT (port 35963 by default)");
  listen_opt->excludes(vpcd_opt);
  double idle_timeout = std::chrono::duration<double>(euicc::kDefaultIdleTimeout).count();
  app.add_option("--idle-timeout", idle_timeout,
                 "--listen: SECONDS a client may stay idle while another waits for the card (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  std::string profile_key;
  app.add_option("--profile-key", profile_key,
                 "key file sealing the installed profile packages (default: DIR/profile-key, made at first start; "
                 "$EUICC_SIM_PROFILE_KEY may hold the key as 64 hex digits instead)");
  app.add_option("--fault", faults, "conformance harness only: a named misbehaviour (repeatable)");
  app.add_flag("--conformance-harness", options.allow_faults, "allow --fault (never in normal runs)");
  CLI11_PARSE(app, argc, argv);

  if (listen.empty() && vpcd.empty()) {
    std::cerr << "euicc-sim: say where to serve the card: --listen HOST:PORT or --vpcd HOST:PORT\n";
    return 2;
  }
  if (!pki.empty()) options.pki_dir = pki;
  if (!profile_key.empty()) options.profile_key = profile_key;
  options.faults.insert(faults.begin(), faults.end());
  auto endpoint = euicc::parse_endpoint(listen.empty() ? vpcd : listen);
  if (!endpoint && !vpcd.empty() && vpcd.find(':') == std::string::npos)
    endpoint = euicc::Endpoint{vpcd, euicc::kVpcdPort};
  if (!endpoint) {
    std::cerr << "euicc-sim: '" << (listen.empty() ? vpcd : listen) << "' is not HOST:PORT\n";
    return 2;
  }

  auto card = euicc::Euicc::open(options);
  if (!card) {
    std::cerr << "euicc-sim: " << card.error().message << "\n";
    return 1;
  }
  for (const auto& f : options.faults)
    std::cerr << "euicc-sim: WARNING: fault '" << f << "' is active: this card misbehaves\n";
  std::cout << "euicc-sim: EID " << (*card)->eid() << ((*card)->created() ? " (new card)" : "") << std::endl;
  euicc::Card apdu_layer((*card)->isdr(), (*card)->usim());
  apdu_layer.set_conformance_faults(options.faults);
  return euicc::run_link(apdu_layer, listen.empty() ? euicc::LinkMode::kVpcd : euicc::LinkMode::kListen, *endpoint,
                         std::chrono::milliseconds(static_cast<long long>(idle_timeout * 1000)));
}
