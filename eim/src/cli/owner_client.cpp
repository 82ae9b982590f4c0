// The owner commands' HTTPS client: the owner's identity, the eIM's trust, one POST per command.
#include "owner_client.hpp"

#include <fstream>
#include <iostream>

#include "rsp/http/client.hpp"

namespace eim::cli {

void add_connection_flags(CLI::App& command, Connection& c) {
  command.add_option("--eim-url", c.url, "the eIM's owner API, https://HOST:PORT")->required();
  command.add_option("--cert", c.cert, "the owner's client certificate (PEM)")->required()->check(CLI::ExistingFile);
  command.add_option("--key", c.key, "the owner's private key (PEM)")->required()->check(CLI::ExistingFile);
  command.add_option("--ca", c.ca, "CA certificates the eIM's TLS certificate chains to (PEM); default the system's")
      ->check(CLI::ExistingFile);
  command.add_flag("--json", c.json, "print the eIM's JSON answer");
}

void add_target_flags(CLI::App& command, TargetFlags& t) {
  auto* eid = command.add_option("--eid", t.eid, "one device's EID");
  eid->excludes(command.add_option("--fleet", t.fleet, "every device of this fleet of the owner's"));
}

bool TargetFlags::given() const {
  if (eid.empty() == fleet.empty()) std::cerr << "eim: give --eid EID or --fleet NAME\n";
  return eid.empty() != fleet.empty();
}

int call(const Connection& c, const std::string& function, const json& body,
         const std::function<void(const json&)>& text) {
  rsp::http::ClientOptions options;
  if (!c.ca.empty()) options.trusted_ca_files.push_back(c.ca);
  auto identity = rsp::http::TlsIdentity::from_pem_files(c.cert, c.key);
  if (!identity) {
    std::cerr << "eim: " << identity.error().message << "\n";
    return kUsage;
  }
  options.client_identity = std::move(*identity);
  auto client = rsp::http::Client::create(std::move(options));
  if (!client) {
    std::cerr << "eim: " << client.error().message << "\n";
    return kUsage;
  }
  std::string url = c.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto response = client->post(url + "/eim/v1/" + function, body.dump(), {{"Content-Type", "application/json"}});
  if (!response) {
    std::cerr << "eim: " << function << ": " << response.error().message << "\n";
    return kFailed;
  }
  json answer = json::parse(response->body, nullptr, false);
  if (answer.is_discarded()) {
    std::cerr << "eim: " << function << ": HTTP " << response->status << " without a JSON answer\n";
    return kFailed;
  }
  if (c.json) std::cout << answer.dump() << "\n";
  if (response->status != 200) {
    std::cerr << "eim: " << function << ": " << answer.value("error", "HTTP " + std::to_string(response->status))
              << ": " << answer.value("message", "") << "\n";
    return kFailed;
  }
  if (!c.json) text(answer);
  return kDone;
}

std::string package_line(const json& p) {
  std::string line = "#" + std::to_string(p.value("id", 0)) + " " + p.value("kind", "?") + " counter " +
                     std::to_string(p.value("counterValue", 0)) + " " + p.value("state", "?");
  if (p.contains("eimTransactionId")) line += " transaction " + p["eimTransactionId"].get<std::string>();
  if (p.contains("result"))
    line += " result " + (p["result"].is_string() ? p["result"].get<std::string>() : p["result"].dump());
  return line;
}

void print_results(const json& answer) {
  for (const auto& r : answer.value("results", json::array())) {
    std::string eid = r.value("eid", "?");
    if (r.contains("error"))
      std::cout << eid << ": " << r["error"].get<std::string>() << ": " << r.value("message", "") << "\n";
    else
      std::cout << eid << ": " << (r.contains("added") ? "added" : "")
                << (r.contains("added") && r.contains("queued") ? ", " : "")
                << (r.contains("queued") ? "queued " + package_line(r["queued"]) : "") << "\n";
  }
}

void finish(int code) { throw CLI::RuntimeError(code); }

rsp::Expected<std::vector<std::string>> read_lines(const std::string& file) {
  std::ifstream in(file);
  if (!in) return rsp::fail("cannot read " + file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

}  // namespace eim::cli
