#pragma once
// ISD-R (SGP.22 v2.5 §2.2.1.1, SGP.32 v1.2 §2.2.1): routes each ES10 command, by its tag, to the
// function that serves it.
#include "es10_function.hpp"
#include "es10b_download.hpp"
#include "euicc/applications.hpp"

namespace euicc {

class Isdr final : public IsdrApplication {
 public:
  explicit Isdr(CardContext& context) : context_(context), download_(context) {}

  rsp::Expected<Bytes, uint16_t> store_data(ByteView command) override;
  Bytes select_response() override;
  void channel_closed() override;

 private:
  rsp::Expected<Bytes, uint16_t> process(ByteView command);
  CardContext& context_;
  DownloadSession download_;  // one profile download at a time (challenge .. installation)
};

}  // namespace euicc
