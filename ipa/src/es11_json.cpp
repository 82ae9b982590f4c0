// SGP.22 v2.5 §5.8 ES11 in the JSON binding, client side (FACTS §7.1): the requests and the
// initiateAuthentication answer are ES9+'s; authenticateClient answers
// {"header":..., "transactionId": hex, "eventEntries": [{"eventId", "rspServerAddress"}, ...]}.
#include "es11_wire.hpp"
#include "es9plus_json.hpp"

namespace ipa {

namespace {

class JsonEs11Wire final : public Es11Wire {
 public:
  const Es9Wire& requests() const override { return *es9_; }

  Es9Result<InitiateAuthenticationResponse> initiate_authentication_answer(const std::string& body) const override {
    return es9_->initiate_authentication_answer(body);
  }

  Es9Result<AuthenticateClientResponseEs11> authenticate_client_answer(const std::string& body) const override {
    JsonAnswer a(Es9Function::authenticate_client, body);
    if (auto failed = a.failure()) return *failed;
    AuthenticateClientResponseEs11 out;
    out.transaction_id = a.hex("transactionId");
    const json* entries = a.at({"eventEntries"});
    if (!entries || !entries->is_array()) {
      a.problem("field eventEntries missing or not an array");
      return a.result(std::move(out));
    }
    for (const json& entry : *entries) {
      if (out.event_entries.size() == kMaxEventEntries) {
        ++out.dropped_entries;
        continue;
      }
      auto text = [&](const char* name) -> std::string {
        if (!entry.is_object() || !entry.contains(name) || !entry[name].is_string()) {
          a.problem(std::string("an eventEntries member without a string ") + name);
          return {};
        }
        std::string value = entry[name].get<std::string>();
        if (auto problem = event_field_problem(name, value)) a.problem(*problem);
        return value;
      };
      EventEntry e;
      e.event_id = text("eventId");
      e.rsp_server_address = text("rspServerAddress");
      out.event_entries.push_back(std::move(e));
    }
    return a.result(std::move(out));
  }

 private:
  std::shared_ptr<const Es9Wire> es9_ = es9_json_wire();
};

}  // namespace

std::shared_ptr<const Es11Wire> es11_json_wire() { return std::make_shared<JsonEs11Wire>(); }

}  // namespace ipa
