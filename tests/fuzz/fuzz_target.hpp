#pragma once
// The fuzz targets (libFuzzer, tests/fuzz/README.md): one file per decoder that reads outside input,
// each registering itself here under its name. All of them link into one program, rsp_fuzz, that
// runs the target named by its own file name (bin/fuzz_<name> links to it) or by $RSP_FUZZ_TARGET,
// so the sanitizer build links the stack's libraries once, not once per target.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "rsp/bytes.hpp"

namespace rsp::fuzz {

struct Target {
  const char* name;
  void (*init)();                                 // once per process, before the first input; may be null
  void (*run)(const uint8_t* data, size_t size);  // one input; must leave no state that makes the next one differ
};

// Called by RSP_FUZZ_TARGET's static registration.
bool register_target(const Target& target);

// A fresh directory for the process's files (test PKI, databases, card state), in /dev/shm when the
// machine has it, else under the system temp dir; removed when the process exits normally. Nothing
// is written anywhere else.
const std::filesystem::path& work_dir();
// A test PKI (rsp::pki::make, NIST P-256) in work_dir()/pki, made on first use.
const std::filesystem::path& test_pki();

// Inputs whose first line names a function and whose rest is its body ("authenticateClient\n{...}"),
// so that a seed is a readable file.
struct NamedBody {
  std::string_view function;
  std::string_view body;
};
NamedBody split_named_body(const uint8_t* data, size_t size);

// The one T of this process (the server or card a target talks to), made on first use; make<T> as a
// target's init makes it before the first input.
template <class T>
T& the() {
  static T instance;
  return instance;
}
template <class T>
void make() {
  (void)the<T>();
}

inline ByteView bytes(const uint8_t* data, size_t size) { return ByteView(data, size); }
inline std::string_view text(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace rsp::fuzz

// RSP_FUZZ_TARGET(name, init, run): registers a target at start-up.
// A target's file keeps its init and run in namespace <name>_target, not an anonymous one: in a
// unity build the anonymous namespaces of rsp_fuzz's files are one, and every file has its run().
#define RSP_FUZZ_TARGET(name, init, run) \
  static const bool rsp_fuzz_registered_##name = ::rsp::fuzz::register_target({#name, init, run})
