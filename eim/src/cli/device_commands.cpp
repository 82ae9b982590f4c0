// eim device add | list | show: the owner's devices at the eIM.
#include <iostream>

#include "owner_client.hpp"
#include "rsp/bytes.hpp"
#include "rsp/http/tls_identity.hpp"

namespace eim::cli {
namespace {

struct DeviceAdd {
  Connection connection;
  std::string eid, eid_file, fleet, eim_id, euicc_certificate, eum_certificate;
  int64_t association_token = 0, counter_value = 0;
  CLI::Option* token_option = nullptr;
  CLI::Option* counter_option = nullptr;
};

// The first certificate of FILE (PEM or DER), as base64 DER.
rsp::Expected<std::string> certificate_base64(const std::string& file) {
  auto certificates = rsp::http::read_certificates(file);
  if (!certificates) return rsp::fail(certificates.error().message);
  if (certificates->empty()) return rsp::fail(file + ": no certificate");
  return rsp::to_base64(certificates->front().der());
}

int device_add(const DeviceAdd& a) {
  if (a.eid.empty() == a.eid_file.empty()) {
    std::cerr << "eim: device add: give --eid EID or --eid-file FILE\n";
    return kUsage;
  }
  if (a.euicc_certificate.empty() != a.eum_certificate.empty() || (!a.euicc_certificate.empty() && a.eid.empty())) {
    std::cerr << "eim: device add: --euicc-certificate and --eum-certificate go together, with --eid\n";
    return kUsage;
  }
  std::vector<std::string> eids{a.eid};
  if (!a.eid_file.empty()) {
    auto read = read_lines(a.eid_file);
    if (!read) {
      std::cerr << "eim: device add: " << read.error().message << "\n";
      return kUsage;
    }
    eids = std::move(*read);
  }
  json devices = json::array();
  for (const auto& eid : eids) {
    json d = {{"eid", eid}};
    if (!a.fleet.empty()) d["fleet"] = a.fleet;
    if (!a.eim_id.empty()) d["eimId"] = a.eim_id;
    if (a.token_option->count()) d["associationToken"] = a.association_token;
    if (a.counter_option->count()) d["counterValue"] = a.counter_value;
    devices.push_back(std::move(d));
  }
  if (!a.euicc_certificate.empty()) {
    auto euicc = certificate_base64(a.euicc_certificate);
    auto eum = certificate_base64(a.eum_certificate);
    if (!euicc || !eum) {
      std::cerr << "eim: device add: " << (euicc ? eum.error() : euicc.error()).message << "\n";
      return kUsage;
    }
    devices[0]["euiccCertificate"] = *euicc;
    devices[0]["eumCertificate"] = *eum;
  }
  return call(a.connection, "devices/add", {{"devices", std::move(devices)}}, print_results);
}

std::string device_line(const json& d) {
  return d.value("eid", "?") + " fleet=" + d.value("fleet", "") + " eimId=" + d.value("eimId", "") +
         " nextCounterValue=" + std::to_string(d.value("nextCounterValue", 0)) +
         " certificates=" + (d.value("certificates", false) ? "yes" : "no");
}

}  // namespace

void add_device_commands(CLI::App& app) {
  auto* device = app.add_subcommand("device", "the owner's devices at the eIM: add, list, show");
  device->require_subcommand(1);

  auto add = std::make_shared<DeviceAdd>();
  auto* add_command = device->add_subcommand("add", "register devices (one EID or a file of EIDs) with the eIM");
  add_connection_flags(*add_command, add->connection);
  auto* eid = add_command->add_option("--eid", add->eid, "the device's EID");
  eid->excludes(
      add_command->add_option("--eid-file", add->eid_file, "a file with one EID per line")->check(CLI::ExistingFile));
  add_command->add_option("--fleet", add->fleet, "the fleet the devices join");
  add_command->add_option("--eim-id", add->eim_id, "the eimId the eUICCs know this eIM by (default the eIM's)");
  add->token_option =
      add_command->add_option("--association-token", add->association_token, "the token the eUICC issued");
  add->counter_option =
      add_command->add_option("--counter-value", add->counter_value, "the counterValue the eUICC holds for this eIM");
  add_command->add_option("--euicc-certificate", add->euicc_certificate, "CERT.EUICC (PEM or DER)")
      ->check(CLI::ExistingFile);
  add_command->add_option("--eum-certificate", add->eum_certificate, "CERT.EUM (PEM or DER)")->check(CLI::ExistingFile);
  add_command->callback([add] { finish(device_add(*add)); });

  struct List {
    Connection connection;
    std::string fleet;
    int64_t limit = 0;
  };
  auto list = std::make_shared<List>();
  auto* list_command = device->add_subcommand("list", "the owner's devices, one line each");
  add_connection_flags(*list_command, list->connection);
  list_command->add_option("--fleet", list->fleet, "only this fleet's");
  list_command->add_option("--limit", list->limit, "at most this many");
  list_command->callback([list] {
    json body = json::object();
    if (!list->fleet.empty()) body["fleet"] = list->fleet;
    if (list->limit) body["limit"] = list->limit;
    finish(call(list->connection, "devices/list", body, [](const json& answer) {
      for (const auto& d : answer.value("devices", json::array())) std::cout << device_line(d) << "\n";
    }));
  });

  struct Show {
    Connection connection;
    std::string eid;
  };
  auto show = std::make_shared<Show>();
  auto* show_command = device->add_subcommand("show", "one device and its packages");
  add_connection_flags(*show_command, show->connection);
  show_command->add_option("--eid", show->eid, "the device's EID")->required();
  show_command->callback([show] {
    finish(call(show->connection, "devices/show", {{"eid", show->eid}}, [](const json& d) {
      std::cout << device_line(d) << "\n";
      for (const auto& p : d.value("packages", json::array())) std::cout << "  " << package_line(p) << "\n";
    }));
  });
}

}  // namespace eim::cli
