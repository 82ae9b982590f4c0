// eim download | psmo | eco | data-request | status: what the owner queues for a device or a fleet,
// and what became of it.
#include <iostream>

#include "owner_client.hpp"
#include "rsp/bytes.hpp"
#include "rsp/files.hpp"

namespace eim::cli {
namespace {

// A command on a target: connection, target, and the options whose order makes the operations list.
struct Queueing {
  Connection connection;
  TargetFlags target;
  CLI::App* command = nullptr;
};

CLI::App* queueing_command(CLI::App& app, const char* name, const char* description, Queueing& q) {
  q.command = app.add_subcommand(name, description);
  add_connection_flags(*q.command, q.connection);
  add_target_flags(*q.command, q.target);
  return q.command;
}

// The operations, in the order their flags were given; `operation` makes one from an option's n-th value.
rsp::Expected<json> operations_in_order(
    const CLI::App& command, const std::string& raw_operations,
    const std::function<std::optional<json>(const CLI::Option*, const std::string&)>& operation) {
  json list = json::array();
  std::map<const CLI::Option*, size_t> seen;
  for (const CLI::Option* option : command.parse_order()) {
    size_t n = seen[option]++;
    const auto& results = option->results();
    std::string value = n < results.size() ? results[n] : "";
    if (option->get_name() == "--operations") {
      json extra = json::parse(raw_operations, nullptr, false);
      if (!extra.is_array()) return rsp::fail("--operations: a JSON array of operations");
      for (auto& e : extra) list.push_back(std::move(e));
      continue;
    }
    if (auto op = operation(option, value)) list.push_back(std::move(*op));
  }
  if (list.empty()) return rsp::fail("no operation given");
  return list;
}

int queue_operations(const Queueing& q, const char* function, const std::string& raw,
                     const std::function<std::optional<json>(const CLI::Option*, const std::string&)>& operation) {
  if (!q.target.given()) return kUsage;
  auto operations = operations_in_order(*q.command, raw, operation);
  if (!operations) {
    std::cerr << "eim: " << function << ": " << operations.error().message << "\n";
    return kUsage;
  }
  return call(q.connection, function, {{"target", q.target.target()}, {"operations", *operations}}, print_results);
}

json with(const char* name, json args) { return {{name, std::move(args)}}; }

// One line of `download --file`: "EID TRIGGER", TRIGGER an activation code (LPA:1$... or 1$...),
// default-smdp, root-smds or smds:ADDRESS, as the owner API's {eid, trigger} entry.
rsp::Expected<json> download_entry(const std::string& line) {
  auto space = line.find_first_of(" \t");
  if (space == std::string::npos) return rsp::fail("'" + line + "': EID and what to download, e.g. EID default-smdp");
  std::string eid = line.substr(0, space);
  std::string what = line.substr(line.find_first_not_of(" \t", space));
  json entry = {{"eid", eid}};
  if (what == "default-smdp")
    entry["contactDefaultSmdp"] = true;
  else if (what == "root-smds")
    entry["contactSmds"] = true;
  else if (what.starts_with("smds:"))
    entry["smdsAddress"] = what.substr(5);
  else
    entry["activationCode"] = what;
  return entry;
}

void add_download(CLI::App& app) {
  struct Download : Queueing {
    std::string activation_code, smds, file;
    bool default_smdp = false, root_smds = false;
  };
  auto d = std::make_shared<Download>();
  auto* command = queueing_command(app, "download", "queue a profile download trigger", *d);
  command->add_option("--activation-code", d->activation_code, "download with this activation code (LPA:1$...)");
  command->add_flag("--default-smdp", d->default_smdp, "download from the eUICC's default SM-DP+");
  command->add_option("--smds", d->smds, "look for events at this SM-DS");
  command->add_flag("--root-smds", d->root_smds, "look for events at the eUICC's root SM-DS");
  command
      ->add_option("--file", d->file,
                   "one call for many devices, each its own trigger: lines 'EID CODE|default-smdp|root-smds|smds:ADDR'")
      ->check(CLI::ExistingFile);
  command->callback([d] {
    int given = !d->activation_code.empty() + d->default_smdp + !d->smds.empty() + d->root_smds + !d->file.empty();
    if (given != 1) {
      std::cerr << "eim: download: one of --activation-code, --default-smdp, --smds, --root-smds, --file\n";
      finish(kUsage);
    }
    if (!d->file.empty()) {
      if (!d->target.eid.empty() || !d->target.fleet.empty()) {
        std::cerr << "eim: download: --file names its EIDs; no --eid or --fleet with it\n";
        finish(kUsage);
      }
      auto lines = read_lines(d->file);
      json downloads = json::array();
      if (lines)
        for (const auto& line : *lines) {
          auto entry = download_entry(line);
          if (!entry) {
            lines = rsp::fail(d->file + ": " + entry.error().message);
            break;
          }
          downloads.push_back(std::move(*entry));
        }
      if (!lines) {
        std::cerr << "eim: download: " << lines.error().message << "\n";
        finish(kUsage);
      }
      finish(call(d->connection, "download", {{"downloads", std::move(downloads)}}, print_results));
    }
    if (!d->target.given()) finish(kUsage);
    json body = {{"target", d->target.target()}};
    if (!d->activation_code.empty()) body["activationCode"] = d->activation_code;
    if (d->default_smdp) body["contactDefaultSmdp"] = true;
    if (!d->smds.empty()) body["smdsAddress"] = d->smds;
    if (d->root_smds) body["contactSmds"] = true;
    finish(call(d->connection, "download", body, print_results));
  });
}

void add_psmo(CLI::App& app) {
  struct Psmo : Queueing {
    std::vector<std::string> enable, disable, remove, set_fallback, default_dp;
    bool rollback = false, list = false, rat = false, unset_fallback = false;
    std::string raw;
  };
  auto p = std::make_shared<Psmo>();
  auto* command = queueing_command(app, "psmo", "queue a package of PSMOs (in the order given)", *p);
  command->add_option("--enable", p->enable, "enable the profile ICCID");
  command->add_flag("--rollback", p->rollback, "the enables ask for rollback on failure");
  command->add_option("--disable", p->disable, "disable the profile ICCID");
  command->add_option("--delete", p->remove, "delete the profile ICCID");
  command->add_flag("--list-profile-info", p->list, "list the profiles");
  command->add_flag("--get-rat", p->rat, "read the rules authorisation table");
  command->add_option("--set-fallback", p->set_fallback, "give the profile ICCID the fallback attribute");
  command->add_flag("--unset-fallback", p->unset_fallback, "remove the fallback attribute");
  command->add_option("--set-default-dp", p->default_dp, "set the default SM-DP+ address");
  command->add_option("--operations", p->raw,
                      "more operations as the API's JSON array (configureImmediateEnable, ...)");
  command->callback([p] {
    finish(queue_operations(*p, "psmo", p->raw, [p](const CLI::Option* o, const std::string& v) -> std::optional<json> {
      const std::string& n = o->get_name();
      if (n == "--enable") return with("enable", {{"iccid", v}, {"rollback", p->rollback}});
      if (n == "--disable") return with("disable", {{"iccid", v}});
      if (n == "--delete") return with("delete", {{"iccid", v}});
      if (n == "--list-profile-info") return with("listProfileInfo", json::object());
      if (n == "--get-rat") return with("getRAT", json::object());
      if (n == "--set-fallback") return with("setFallbackAttribute", {{"iccid", v}});
      if (n == "--unset-fallback") return with("unsetFallbackAttribute", json::object());
      if (n == "--set-default-dp") return with("setDefaultDpAddress", {{"address", v}});
      return std::nullopt;  // connection, target and --rollback
    }));
  });
}

void add_eco(CLI::App& app) {
  struct Eco : Queueing {
    std::vector<std::string> add, update, remove;
    bool list = false;
    std::string raw;
  };
  auto e = std::make_shared<Eco>();
  auto* command = queueing_command(app, "eco", "queue a package of eCOs (in the order given)", *e);
  command->add_option("--add-eim", e->add, "add the eIM of this EimConfigurationData file (DER)")
      ->check(CLI::ExistingFile);
  command->add_option("--update-eim", e->update, "update with this EimConfigurationData file (DER)")
      ->check(CLI::ExistingFile);
  command->add_option("--delete-eim", e->remove, "delete the eIM with this eimId");
  command->add_flag("--list-eim", e->list, "list the eUICC's eIMs");
  command->add_option("--operations", e->raw, "more operations as the API's JSON array");
  command->callback([e] {
    std::string unreadable;
    int code =
        queue_operations(*e, "eco", e->raw, [&](const CLI::Option* o, const std::string& v) -> std::optional<json> {
          const std::string& n = o->get_name();
          if (n == "--add-eim" || n == "--update-eim") {
            auto der = rsp::files::read(v);
            if (!der) unreadable = v;
            return with(n == "--add-eim" ? "addEim" : "updateEim",
                        {{"eimConfigurationData", rsp::to_base64(der.value_or(rsp::Bytes{}))}});
          }
          if (n == "--delete-eim") return with("deleteEim", {{"eimId", v}});
          if (n == "--list-eim") return with("listEim", json::object());
          return std::nullopt;
        });
    if (!unreadable.empty()) std::cerr << "eim: eco: cannot read " << unreadable << "\n";
    finish(code);
  });
}

void add_data_request(CLI::App& app) {
  struct DataRequest : Queueing {
    std::vector<std::string> tags;
  };
  auto d = std::make_shared<DataRequest>();
  auto* command = queueing_command(app, "data-request", "queue an IpaEuiccDataRequest", *d);
  command->add_option("--tag", d->tags, "IpaEuiccData members by tag in hex (A5,A6 certificates; BF20 euiccInfo1; ...)")
      ->required()
      ->delimiter(',');
  command->callback([d] {
    if (!d->target.given()) finish(kUsage);
    finish(call(d->connection, "data-request", {{"target", d->target.target()}, {"tags", d->tags}}, print_results));
  });
}

void add_status(CLI::App& app) {
  auto s = std::make_shared<Queueing>();
  queueing_command(app, "status", "the packages of a device or a fleet, with their states and results", *s);
  s->command->callback([s] {
    if (!s->target.given()) finish(kUsage);
    finish(call(s->connection, "status", {{"target", s->target.target()}}, [](const json& answer) {
      for (const auto& d : answer.value("devices", json::array())) {
        std::cout << d.value("eid", "?") << "\n";
        for (const auto& p : d.value("packages", json::array())) std::cout << "  " << package_line(p) << "\n";
      }
    }));
  });
}

}  // namespace

void add_package_commands(CLI::App& app) {
  add_download(app);
  add_psmo(app);
  add_eco(app);
  add_data_request(app);
  add_status(app);
}

}  // namespace eim::cli
