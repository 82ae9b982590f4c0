// SGP.22 v2.5 §5.8 ES11 in the ASN.1 binding, client side (FACTS §7.2): A2 { BF39 } and A2 { BF3B }
// as for ES9+; authenticateClient answers A2 { BF40 { A0 { 80 transactionId, A1 { 30 { 80 eventId,
// 81 rspServerAddress } ... } } | 81 error } }, BF40 also accepted twice. The error values of
// InitiateAuthenticationResponse mean the SM-DS's 8.9.x codes here.
#include "es11_wire.hpp"
#include "es9plus_asn1.hpp"

namespace ipa {

namespace {

using rsp::tlv::Tag;

constexpr Tag kAuthenticateClientResponseEs11 = 0xBF40;

// SGP.22 v2.5 §5.8.1 on an SM-DS (FACTS §7.3).
constexpr ErrorName kEs11InitiateAuthenticationErrors[] = {
    {1, "invalidDpAddress", "8.9.1", "3.8"},
    {2, "euiccVersionNotSupportedByDp", "8.9.3", "3.1"},
    {3, "ciPKNotSupported", "8.9.2", "3.1"},
};
// SGP.22 v2.5 §5.8.2 AuthenticateClientResponseEs11 authenticateClientError.
constexpr ErrorName kEs11AuthenticateClientErrors[] = {
    {1, "eumCertificateInvalid", "8.1.2", "6.1"},   {2, "eumCertificateExpired", "8.1.2", "6.3"},
    {3, "euiccCertificateInvalid", "8.1.3", "6.1"}, {4, "euiccCertificateExpired", "8.1.3", "6.3"},
    {5, "euiccSignatureInvalid", "8.1", "6.1"},     {6, "eventIdUnknown", "8.9.5", "3.9"},
    {7, "invalidTransactionId", "8.10.1", "3.9"},
};

std::string text(ByteView v) { return std::string(v.begin(), v.end()); }

class Asn1Es11Wire final : public Es11Wire {
 public:
  const Es9Wire& requests() const override { return *es9_; }

  Es9Result<InitiateAuthenticationResponse> initiate_authentication_answer(const std::string& body) const override {
    return asn1_initiate_authentication_answer(body, kEs11InitiateAuthenticationErrors);
  }

  Es9Result<AuthenticateClientResponseEs11> authenticate_client_answer(const std::string& body) const override {
    constexpr Es9Function function = Es9Function::authenticate_client;
    auto ok = open_asn1_answer(function, kAuthenticateClientResponseEs11, kEs11AuthenticateClientErrors, body);
    if (!ok) return rsp::Unexpected{ok.error()};
    AuthenticateClientResponseEs11 out;
    out.transaction_id = ok->value(0x80);
    Bytes entries = ok->value(0xA1);
    if (ok->problem()) return es9_protocol_error(function, *ok->problem());
    auto records = rsp::tlv::read_all(entries);
    if (!records) return es9_protocol_error(function, "eventEntries: " + records.error().message);
    for (const auto& record : *records) {
      if (out.event_entries.size() == kMaxEventEntries) {
        ++out.dropped_entries;
        continue;
      }
      auto members = rsp::tlv::read_all(record.value);
      if (record.tag != 0x30 || !members || members->size() != 2 || (*members)[0].tag != 0x80 ||
          (*members)[1].tag != 0x81)
        return es9_protocol_error(function, "an EventEntries member is not 30 { 80 eventId, 81 rspServerAddress }");
      EventEntry e{text((*members)[0].value), text((*members)[1].value)};
      for (auto [name, value] :
           {std::pair{"eventId", &e.event_id}, std::pair{"rspServerAddress", &e.rsp_server_address}})
        if (auto problem = event_field_problem(name, *value)) return es9_protocol_error(function, *problem);
      out.event_entries.push_back(std::move(e));
    }
    return out;
  }

 private:
  std::shared_ptr<const Es9Wire> es9_ = es9_asn1_wire();
};

}  // namespace

std::shared_ptr<const Es11Wire> es11_asn1_wire() { return std::make_shared<Asn1Es11Wire>(); }

}  // namespace ipa
