#pragma once
// A man in the middle for ES9+ tests: the HTTPS proxy with the SM-DP+'s own TLS identity in front
// of the in-process SM-DP+.
#include <catch2/catch.hpp>

#include "https_proxy.hpp"
#include "smdp_harness.hpp"

namespace ipa::test {

class Es9Proxy : public HttpsProxy {
 public:
  Es9Proxy(const SmdpHarness& smdp, Intercept intercept)
      : HttpsProxy(rsp::http::TlsIdentity::from_pki(smdp.pki, smdp.curve).value(),
                   "https://localhost:" + std::to_string(smdp.server->es9_port()), smdp.client_options().http,
                   std::move(intercept)) {}
};

}  // namespace ipa::test
