#pragma once
// The MILENAGE algorithm set, 3GPP TS 35.205/35.206 (algorithm: TS 35.206 §4.1, OPc included):
// f1, f1*, f2, f3, f4, f5 and f5* around AES-128 (Rijndael) keyed with the subscriber key K.
// The rotation constants r1..r5 and the xoring constants c1..c5 are operator-configurable; a SAIP
// AlgoParameter carries them as rotationConstants (5 bytes) and xoringConstants (80 bytes).
#include <array>
#include <cstdint>

#include "rsp/bytes.hpp"
#include "rsp/crypto/aka_functions.hpp"
#include "rsp/expected.hpp"

namespace rsp::crypto {

using Block128 = std::array<uint8_t, 16>;

// TS 35.206 §4.1: r1..r5 in bits (0..127), c1..c5 as 128-bit values.
struct MilenageConstants {
  std::array<uint8_t, 5> r{64, 0, 32, 64, 96};
  std::array<Block128, 5> c{Block128{}, Block128{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                            Block128{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                            Block128{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4},
                            Block128{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8}};

  // From the SAIP AlgoParameter encodings: rotationConstants (5 bytes, each 0..127) and
  // xoringConstants (80 bytes, c1 || c2 || c3 || c4 || c5).
  static Expected<MilenageConstants> from_saip(ByteView rotation_constants, ByteView xoring_constants);
  // The two SAIP encodings of these constants (the inverse of from_saip).
  Bytes rotation_constants() const;
  Bytes xoring_constants() const;

  bool operator==(const MilenageConstants&) const = default;
};

// TS 35.206 §4.1: OPc = OP xor E_K(OP). K and OP are 16 bytes each.
Expected<Bytes> compute_opc(ByteView k, ByteView op);

// One subscriber's MILENAGE instance: K, OPc and the constants. K and OPc are wiped when the object
// goes (and when it is moved from). The functions are const and keep no state between calls, so one
// instance may be shared between threads.
//
// Lengths: RAND 16, SQN 6, AMF 2 bytes. A wrong length is a programming error (std::invalid_argument):
// the AKA procedures in aka.hpp check lengths of data that arrive from the wire before calling here.
class Milenage final : public AkaFunctions {
 public:
  // K and OPc, 16 bytes each.
  static Expected<Milenage> create(ByteView k, ByteView opc, const MilenageConstants& constants = {});
  // K and OP (OPc is derived with compute_opc).
  static Expected<Milenage> from_op(ByteView k, ByteView op, const MilenageConstants& constants = {});

  Milenage(const Milenage&) = delete;
  Milenage& operator=(const Milenage&) = delete;
  Milenage(Milenage&& other) noexcept;
  Milenage& operator=(Milenage&& other) noexcept;
  ~Milenage() override;

  const MilenageConstants& constants() const { return constants_; }

  // TS 35.206 §4.1: f1 and f1* from OUT1, f2 and f5 from OUT2, f3 from OUT3, f4 from OUT4, f5* from OUT5.
  Bytes f1(ByteView rand, ByteView sqn, ByteView amf) const override;
  Bytes f1star(ByteView rand, ByteView sqn, ByteView amf) const override;
  AkaOutputs f2345(ByteView rand) const override;
  Bytes f5star(ByteView rand) const override;

 private:
  Milenage(const Block128& k, const Block128& opc, const MilenageConstants& constants);
  Block128 out1(ByteView rand, ByteView sqn, ByteView amf) const;
  Block128 k_{};
  Block128 opc_{};
  MilenageConstants constants_;
};

}  // namespace rsp::crypto
