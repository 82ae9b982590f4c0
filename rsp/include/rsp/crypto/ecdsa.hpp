#pragma once
// ECDSA with SHA-256. RSP messages carry signatures as plain r||s (BSI TR-03111, 64 bytes, in a
// '5F37' TLV); X.509 and OpenSSL use the DER ECDSA-Sig-Value. Both forms are handled here.
#include "rsp/bytes.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/expected.hpp"

namespace rsp::crypto {

constexpr size_t kPlainSignatureSize = 64;

// Signs SHA-256(message); returns r||s.
Bytes sign(const PrivateKey& key, ByteView message);
// Verifies an r||s signature over SHA-256(message).
bool verify(const PublicKey& key, ByteView message, ByteView plain_signature);

// ECDSA-Sig-Value DER <-> r||s with 32-byte halves.
Expected<Bytes> der_to_plain(ByteView der_signature);
Expected<Bytes> plain_to_der(ByteView plain_signature);

}  // namespace rsp::crypto
