// rsp::bpp::minimum_store_data_apdus: the fewest STORE DATA blocks the parts of a Bound Profile
// Package need (SGP.22 v2.5 §2.5.5), on a package whose parts straddle the 255-byte block edges.
#include <catch2/catch.hpp>

#include "rsp/bound_profile_package.hpp"
#include "rsp/tlv.hpp"

using namespace rsp;
using rsp::tlv::encode;

TEST_CASE("the minimum STORE DATA count adds up each part's blocks", "[bpp]") {
  Bytes bf23 = encode(0xBF23, Bytes(100, 0x01));                                                     // 103 bytes
  Bytes a0 = encode(0xA0, encode(0x87, Bytes(20, 0x02)));                                            // 24
  Bytes a1 = encode(0xA1, concat({encode(0x88, Bytes(300, 0x03)), encode(0x88, Bytes(10, 0x04))}));  // 4 + 304 + 12
  Bytes a3 =
      encode(0xA3, concat({encode(0x86, Bytes(1016, 0x05)), encode(0x86, Bytes(1017, 0x06))}));  // 4 + 1020 + 1021
  Bytes bpp = encode(0xBF36, concat({bf23, a0, a1, a3}));
  // BF36 header (5) with BF23: 1; A0: 1; A1 header: 1; 88s: 2 + 1; A3 header: 1; 86s: 4 (1020 = 4 x 255) + 5.
  CHECK(bpp::minimum_store_data_apdus(bpp, 255).value() == 16);
  CHECK(bpp::minimum_store_data_apdus(bpp, 1021).value() == 8);  // one block per part
  // The ES10 commands the IPA sends, each in as few blocks as it fits.
  for (size_t block : {size_t{6}, size_t{120}, size_t{255}}) {
    size_t blocks = 0;
    for (const auto& command : bpp::split_for_loading(bpp).value()) blocks += (command.size() + block - 1) / block;
    CHECK(bpp::minimum_store_data_apdus(bpp, block).value() == blocks);
  }
  CHECK_FALSE(bpp::minimum_store_data_apdus(bf23, 255));
  CHECK_FALSE(bpp::minimum_store_data_apdus(bpp, 0));
}
