#pragma once
// Access to the reference kit (../shared/spec or $RSP_REFERENCE_KIT) for tests that use its foreign
// artefacts. Without the kit such a test exits with code 77, which ctest reports as skipped.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "rsp/bytes.hpp"

namespace rsp::test {

inline std::filesystem::path kit_dir() {
  if (const char* env = std::getenv("RSP_REFERENCE_KIT"); env && *env) return env;
  return RSP_DEFAULT_REFERENCE_KIT;  // set by tests/CMakeLists.txt: <source>/../shared/spec
}

// The kit path; skips the running test (exit 77) when the kit is not there.
inline std::filesystem::path require_kit() {
  auto dir = kit_dir();
  if (!std::filesystem::exists(dir / "FACTS.md")) {
    std::printf("skipped: reference kit not found at %s (set RSP_REFERENCE_KIT)\n", dir.c_str());
    std::fflush(stdout);
    std::_Exit(77);
  }
  return dir;
}

inline Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

inline std::string read_text(const std::filesystem::path& path) {
  Bytes b = read_file(path);
  return std::string(b.begin(), b.end());
}

inline Bytes hex(std::string_view text) {
  auto b = from_hex(text);
  if (!b) throw std::invalid_argument("bad hex in test: " + std::string(text));
  return *b;
}

// A fresh empty directory under the system temp dir (or under parent), removed when the object goes.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& parent = std::filesystem::temp_directory_path()) {
    std::string pattern = (parent / "rsp-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace rsp::test
