#include "rsp/apdu.hpp"

namespace rsp::apdu {

Expected<Command, uint16_t> Command::parse(ByteView b) {
  if (b.size() < 4) return Unexpected{sw::kWrongLength};
  Command c;
  c.cla = b[0];
  c.ins = b[1];
  c.p1 = b[2];
  c.p2 = b[3];
  if (c.cla == 0xFF) return Unexpected{sw::kClassNotSupported};  // reserved for PPS
  ByteView body = b.subspan(4);
  if (body.empty()) return c;  // case 1
  if (body.size() == 1) {      // case 2 short
    c.le = body[0] ? body[0] : 256;
    return c;
  }
  if (body[0] != 0) {  // case 3 or 4 short
    size_t lc = body[0];
    if (body.size() == 1 + lc) {
      c.data.assign(body.begin() + 1, body.end());
      return c;
    }
    if (body.size() == 2 + lc) {
      c.data.assign(body.begin() + 1, body.begin() + 1 + static_cast<long>(lc));
      c.le = body.back() ? body.back() : 256;
      return c;
    }
    return Unexpected{sw::kWrongLength};
  }
  // Extended length: 00 followed by two bytes.
  c.extended = true;
  if (body.size() < 3) return Unexpected{sw::kWrongLength};
  size_t n = static_cast<size_t>(body[1]) << 8 | body[2];
  if (body.size() == 3) {  // case 2 extended
    c.le = n ? n : 65536;
    return c;
  }
  if (n == 0) return Unexpected{sw::kWrongLength};
  if (body.size() == 3 + n) {
    c.data.assign(body.begin() + 3, body.end());
    return c;
  }
  if (body.size() == 5 + n) {
    c.data.assign(body.begin() + 3, body.begin() + 3 + static_cast<long>(n));
    size_t le = static_cast<size_t>(body[3 + n]) << 8 | body[4 + n];
    c.le = le ? le : 65536;
    return c;
  }
  return Unexpected{sw::kWrongLength};
}

Bytes Command::encode() const {
  Bytes out{cla, ins, p1, p2};
  bool extended_needed = data.size() > 255 || (le && *le > 256);
  if (!extended_needed) {
    if (!data.empty()) {
      out.push_back(static_cast<uint8_t>(data.size()));
      out.insert(out.end(), data.begin(), data.end());
    }
    if (le) out.push_back(static_cast<uint8_t>(*le == 256 ? 0 : *le));
    return out;
  }
  out.push_back(0);
  if (!data.empty()) {
    out.push_back(static_cast<uint8_t>(data.size() >> 8));
    out.push_back(static_cast<uint8_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
  }
  if (le) {
    uint32_t v = *le == 65536 ? 0 : *le;
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
  }
  return out;
}

uint8_t Command::channel() const {
  if ((cla & 0x40) == 0) return cla & 0x03;
  return static_cast<uint8_t>(4 + (cla & 0x0F));
}

uint8_t cla_for_channel(uint8_t base_cla, uint8_t channel) {
  uint8_t proprietary = base_cla & 0x80;  // no secure messaging in ES10 traffic
  if (channel < 4) return static_cast<uint8_t>(proprietary | channel);
  return static_cast<uint8_t>(proprietary | 0x40 | ((channel - 4) & 0x0F));
}

Expected<Response> Response::parse(ByteView b) {
  if (b.size() < 2) return fail("response APDU shorter than its status word");
  Response r;
  r.data.assign(b.begin(), b.end() - 2);
  r.sw = static_cast<uint16_t>(b[b.size() - 2] << 8 | b[b.size() - 1]);
  return r;
}

Bytes Response::encode() const {
  Bytes out = data;
  out.push_back(sw1());
  out.push_back(sw2());
  return out;
}

}  // namespace rsp::apdu
