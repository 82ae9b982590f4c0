#pragma once
// BER-TLV helpers (ISO/IEC 8825-1, as ETSI TS 102 223 / GlobalPlatform use it) for the places
// that work below the ASN.1 codec: STORE DATA chunks, BPP segments, SAIP element streams.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::tlv {

// A tag is kept as its encoded bytes read big-endian: 0x5A, 0x5F37, 0xBF36.
using Tag = uint32_t;

struct Tlv {
  Tag tag = 0;
  ByteView value;  // the contents
  ByteView whole;  // tag + length + contents
  bool constructed() const;
  size_t header_size() const { return whole.size() - value.size(); }
};

// The header only: tag and the declared length, without requiring the contents to be present.
struct Header {
  Tag tag = 0;
  size_t length = 0;
  size_t header_size = 0;
};

// Reads a tag and definite length (up to 4 length bytes). Fails on truncation or indefinite form.
Expected<Header> read_header(ByteView in);
// Reads one complete TLV at the start of `in`.
Expected<Tlv> read(ByteView in);
// Reads a sequence of TLVs that must fill `in` exactly.
Expected<std::vector<Tlv>> read_all(ByteView in);
// The first child of a constructed value with the given tag, if any.
std::optional<Tlv> find(ByteView contents, Tag tag);

// Why `message` is not one DER-like TLV filling it exactly: definite lengths (at most four length
// bytes), every constructed value made of such TLVs down to the leaves, nested at most 64 deep.
// nullopt when it is. The ASN.1 codec accepts BER; a message that also passes this is safe to
// read with find()/read_all() at every constructed level.
std::optional<std::string> not_der_like(ByteView message);

Bytes encode_tag(Tag tag);
Bytes encode_length(size_t length);
Bytes encode(Tag tag, ByteView value);
// Tag and length only, for streams that send the contents separately (LoadBoundProfilePackage).
Bytes encode_header(Tag tag, size_t length);

}  // namespace rsp::tlv
