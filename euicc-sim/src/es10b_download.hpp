#pragma once
// The card's side of a profile download, SGP.22 v2.5 §3.1.3, §5.7.5-5.7.7, §5.7.13-5.7.14 and §5.5 (ES8+):
// GetEUICCChallenge -> AuthenticateServer -> PrepareDownload -> LoadBoundProfilePackage, and
// CancelSession at any point. One session at a time; every step checks the one before.
#include <memory>

#include "es10_function.hpp"

namespace euicc {

class DownloadSession {
 public:
  explicit DownloadSession(CardContext& card);
  ~DownloadSession();

  Es10Result get_euicc_challenge(const Tlv& request);  // §5.7.7 (BF2E)
  Es10Result authenticate_server(const Tlv& request);  // §5.7.13 (BF38)
  Es10Result prepare_download(const Tlv& request);     // §5.7.5 (BF21)
  Es10Result cancel_session(const Tlv& request);       // §5.7.14 (BF41)

  // LoadBoundProfilePackage (§5.7.6 / ES8+): each STORE DATA command of the sequence (BF36 header
  // with BF23, A0, A1 header, 88.., A2, A3 header, 86..). Intermediate commands answer empty;
  // the last one, or the first error, answers a ProfileInstallationResult (BF37).
  bool loading() const;  // a BPP has started and not ended
  Es10Result load_bound_profile_package(ByteView command);

  // The channel closed or the card was reset: the session and any half-loaded BPP are dropped.
  void abandon();

 private:
  struct State;
  CardContext& card_;
  std::unique_ptr<State> state_;
};

}  // namespace euicc
