#pragma once
// Certificate work that gives the same answer every time, remembered for the process: the parse of
// a certificate's exact bytes, and that its signature verifies with an issuer's key. A download
// meets the same CI and EUM certificates every time and the same eUICC certificate in three of its
// calls, and OpenSSL 3 spends more on parsing a certificate (its key goes through the provider
// decoders) than on verifying a signature. Both memories are bounded (least recently used out) and
// keep only what verified, so a peer cannot fill them with certificates of its own making.
#include <optional>

#include "rsp/bytes.hpp"
#include "rsp/crypto/certificate.hpp"

namespace rsp::crypto {

// The certificate whose DER is exactly `der`, if remembered.
std::optional<Certificate> remembered_certificate(ByteView der);
// Remember `cert` as the parse of `der`; only for a certificate whose chain verified.
void remember_certificate(ByteView der, const Certificate& cert);
// `der` parsed, from memory when it is there; an error too when `der` is not exactly the
// certificate's DER encoding.
Expected<Certificate> certificate_from_der(ByteView der);

// Whether `cert`'s signature verifies with `issuer_key`; a success is remembered.
bool signature_verifies(const Certificate& cert, const PublicKey& issuer_key);

}  // namespace rsp::crypto
