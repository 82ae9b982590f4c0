#include "euicc/pending_response.hpp"

#include <algorithm>

namespace euicc {

using rsp::apdu::Command;
using rsp::apdu::Response;
namespace sw = rsp::apdu::sw;

namespace {

// 61xx / 6Cxx: xx is the count, '00' standing for 256 or more.
uint16_t with_count(uint16_t sw1, size_t count) { return static_cast<uint16_t>(sw1 | (count > 0xFF ? 0 : count)); }

// Le '00' (short) or '0000' (extended) asks for as much as there is, up to 256 or 65536.
bool asks_maximum(const Command& c) { return *c.le == (c.extended ? 65536u : 256u); }

}  // namespace

Response PendingResponse::deliver(rsp::Bytes data, const Command& command) {
  clear();
  if (data.empty()) return Response{};
  data_ = std::move(data);
  // Without Le the terminal cannot take data with this command: all of it waits for GET RESPONSE.
  return take(command.le ? std::min<size_t>(*command.le, data_.size()) : 0);
}

Response PendingResponse::get_response(const Command& command) {
  if (command.p1 != 0 || command.p2 != 0) return Response{{}, sw::kWrongP1P2};
  if (!command.data.empty() || !command.le) return Response{{}, sw::kWrongLength};
  if (remaining() == 0) return Response{{}, sw::kConditionsNotSatisfied};
  size_t le = *command.le;
  // An exact Le that overshoots is the T=0 error: the card names the right one and keeps the data.
  if (le > remaining() && !asks_maximum(command) && !command.extended)
    return Response{{}, with_count(sw::kWrongLe, remaining())};
  return take(std::min(le, remaining()));
}

void PendingResponse::clear() {
  data_.clear();
  offset_ = 0;
}

Response PendingResponse::take(size_t count) {
  Response r;
  auto first = data_.begin() + static_cast<std::ptrdiff_t>(offset_);
  r.data.assign(first, first + static_cast<std::ptrdiff_t>(count));
  offset_ += count;
  if (remaining() > 0) {
    r.sw = with_count(sw::kMoreData, remaining());
  } else {
    clear();
  }
  return r;
}

}  // namespace euicc
