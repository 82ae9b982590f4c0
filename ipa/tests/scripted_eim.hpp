#pragma once
// An eIM as far as the IPA can tell, for ESipa tests: an in-process HTTPS server (a test PKI's
// TLS identity) on the ASN.1 binding, and the JSON binding through rsp_esipa's translation, that answers GetEimPackage
// with queued eIM Packages (then noEimPackageAvailable, or a chosen answer), acknowledges every provided
// EuiccPackageResult by its seqNumber, takes HandleNotification (HTTP 204), can lose a report (HTTP 500) on purpose,
// and records what it received.
#include <catch2/catch.hpp>

#include <deque>
#include <mutex>

#include "rsp/esipa/esipa_json.hpp"
#include "rsp/http/server.hpp"
#include "rsp/pki/test_pki.hpp"
#include "rsp/tlv.hpp"
#include "support/tls_server.hpp"

namespace ipa::test {

class ScriptedEim {
 public:
  explicit ScriptedEim(const std::filesystem::path& pki, rsp::crypto::Role tls_role = rsp::crypto::Role::ds_tls) {
    server_ = rsp::test::start_tls_server(
        rsp::http::TlsIdentity::from_pki(pki, rsp::crypto::Curve::nist_p256, tls_role).value(),
        [this](const rsp::http::Request& r) { return answer(r); });
  }

  uint16_t port() const { return server_->port(0); }
  std::string address() const { return "localhost:" + std::to_string(port()); }

  // A GetEimPackageResponse carrying `package` (BF51 / BF52 / BF54), or a whole answer as it is.
  void queue(const rsp::Bytes& package) { queue_answer(rsp::tlv::encode(0xBF4F, package)); }
  void queue_answer(rsp::Bytes der) {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(der));
  }
  // The next ProvideEimPackageResult gets HTTP 500: the eIM never saw the report.
  void lose_next_report() {
    std::lock_guard lock(mutex_);
    lose_report_ = true;
  }
  // The next `n` requests of any kind get HTTP `status` from a front end (e.g. 503), unseen by the eIM.
  void refuse_next(int n, int status) {
    std::lock_guard lock(mutex_);
    refusals_ = n;
    refusal_status_ = status;
  }
  int refused() {
    std::lock_guard lock(mutex_);
    return refused_;
  }

  struct Received {
    std::string content_type, admin_protocol, user_agent;
    rsp::Bytes body;  // the DER, also of a JSON request
    bool lost = false;
  };
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  // The EimPackageResults of the reports accepted (BF50's second member), in order.
  std::vector<rsp::Bytes> results() {
    std::vector<rsp::Bytes> out;
    for (const auto& r : received())
      if (!r.lost && !r.body.empty() && r.body[0] == 0xBF && r.body[1] == 0x50) {
        auto outer = rsp::tlv::read(r.body).value();
        auto members = rsp::tlv::read_all(outer.value).value();
        out.emplace_back(members.back().whole.begin(), members.back().whole.end());
      }
    return out;
  }

 private:
  static std::optional<long> seq_number(rsp::ByteView result) {
    auto outer = rsp::tlv::read(result);
    if (!outer || outer->tag != 0xBF51) return std::nullopt;
    auto a0 = rsp::tlv::find(outer->value, 0xA0);
    auto data = a0 ? rsp::tlv::find(a0->value, 0x30) : std::nullopt;
    auto seq = data ? rsp::tlv::find(data->value, 0x83) : std::nullopt;
    if (!seq) return std::nullopt;
    long v = 0;
    for (uint8_t b : seq->value) v = (v << 8) | b;
    return v;
  }

  rsp::http::Response answer(const rsp::http::Request& r) {
    std::lock_guard lock(mutex_);
    if (refusals_ > 0) {
      --refusals_;
      ++refused_;
      rsp::http::Response refused;
      refused.status = refusal_status_;
      return refused;
    }
    Received got{std::string(r.headers.get("Content-Type").value_or("")),
                 std::string(r.headers.get("X-Admin-Protocol").value_or("")),
                 std::string(r.headers.get("User-Agent").value_or("")), rsp::Bytes(r.body.begin(), r.body.end())};
    // The JSON binding: the request's DER, and the answer's JSON at the end.
    std::optional<rsp::esipa::Function> json;
    if (r.target.starts_with(rsp::esipa::kJsonPathPrefix)) {
      json = rsp::esipa::function_named(r.target.substr(rsp::esipa::kJsonPathPrefix.size()));
      rsp::Expected<rsp::Bytes> der = rsp::fail("unknown function");
      if (json) der = rsp::esipa::request_from_json(*json, r.body);
      got.body = der ? *der : rsp::Bytes{};
    } else if (r.target != rsp::esipa::kAsn1Path) {
      got.body.clear();
    }
    rsp::http::Response response;
    response.headers.set("Content-Type",
                         std::string(json ? rsp::esipa::kJsonContentType : rsp::esipa::kAsn1ContentType));
    rsp::Bytes body;
    if (got.body.size() < 2) {
      response.status = 404;
    } else if (got.body[1] == 0x4F) {  // GetEimPackageRequest
      if (answers_.empty()) {
        body = rsp::tlv::encode(0xBF4F, rsp::Bytes{0x02, 0x01, 0x01});  // noEimPackageAvailable
      } else {
        body = std::move(answers_.front());
        answers_.pop_front();
      }
    } else if (got.body[1] == 0x50 && lose_report_) {  // ProvideEimPackageResult, lost
      lose_report_ = false;
      got.lost = true;
      response.status = 500;
    } else if (got.body[1] == 0x3D) {  // HandleNotificationEsipa: taken, no response message
      response.status = 204;
    } else if (got.body[1] == 0x50) {
      auto outer = rsp::tlv::read(got.body).value();
      auto members = rsp::tlv::read_all(outer.value).value();
      auto seq = seq_number(members.back().whole);
      rsp::Bytes ack = seq ? rsp::tlv::encode(0xBF53, rsp::tlv::encode(0x80, rsp::Bytes{static_cast<uint8_t>(*seq)}))
                           : rsp::tlv::encode(0x30, {});
      body = rsp::tlv::encode(0xBF50, ack);
    } else {
      response.status = 400;
    }
    received_.push_back(std::move(got));
    if (json && response.status == 200)
      response.body = rsp::esipa::response_to_json(*json, body).value();
    else
      response.body.assign(body.begin(), body.end());
    return response;
  }

  std::mutex mutex_;
  std::deque<rsp::Bytes> answers_;
  bool lose_report_ = false;
  int refusals_ = 0, refusal_status_ = 503, refused_ = 0;
  std::vector<Received> received_;
  std::unique_ptr<rsp::http::Server> server_;
};

}  // namespace ipa::test
