#pragma once
// One profile download as an LPA relays it between a software eUICC and the SM-DP+ (SGP.22 v2.5
// §3.1.3): GetEUICCInfo1 and GetEUICCChallenge, ES9+.InitiateAuthentication, ES10b.AuthenticateServer,
// ES9+.AuthenticateClient, ES10b.PrepareDownload, ES9+.GetBoundProfilePackage, LoadBoundProfilePackage
// segment by segment, ES9+.HandleNotification with the installation result. Every ES9+ call and
// every card command is timed into a Tally.
#include <string>

#include "euicc/euicc.hpp"
#include "measurement.hpp"
#include "rsp/expected.hpp"
#include "smdp/es9plus.hpp"

namespace smdp_bench {

// The SM-DP+ as the device reaches it: in-process here, over HTTPS in https_es9.hpp.
class Es9Endpoint {
 public:
  virtual ~Es9Endpoint() = default;
  virtual smdp::Es9Result<smdp::InitiateAuthenticationResponse> initiate_authentication(
      const smdp::InitiateAuthenticationRequest& request) = 0;
  virtual smdp::Es9Result<smdp::AuthenticateClientResponse> authenticate_client(
      const smdp::AuthenticateClientRequest& request) = 0;
  virtual smdp::Es9Result<smdp::GetBoundProfilePackageResponse> get_bound_profile_package(
      const smdp::GetBoundProfilePackageRequest& request) = 0;
  virtual smdp::FunctionStatus handle_notification(rsp::ByteView pending_notification) = 0;
};

// An Es9Plus in this process.
class InProcessEs9 final : public Es9Endpoint {
 public:
  explicit InProcessEs9(smdp::Es9Plus& es9) : es9_(es9) {}
  smdp::Es9Result<smdp::InitiateAuthenticationResponse> initiate_authentication(
      const smdp::InitiateAuthenticationRequest& request) override {
    return es9_.initiate_authentication(request);
  }
  smdp::Es9Result<smdp::AuthenticateClientResponse> authenticate_client(
      const smdp::AuthenticateClientRequest& request) override {
    return es9_.authenticate_client(request);
  }
  smdp::Es9Result<smdp::GetBoundProfilePackageResponse> get_bound_profile_package(
      const smdp::GetBoundProfilePackageRequest& request) override {
    return es9_.get_bound_profile_package(request);
  }
  smdp::FunctionStatus handle_notification(rsp::ByteView pending_notification) override {
    return es9_.handle_notification(pending_notification);
  }

 private:
  smdp::Es9Plus& es9_;
};

// Downloads the profile waiting for `matching_id` onto `card`; the first failing step's error.
rsp::Status<> relay_download(Es9Endpoint& smdp, euicc::Euicc& card, const std::string& smdp_address,
                             const std::string& matching_id, Tally& tally);

}  // namespace smdp_bench
