// rsp_fuzz: libFuzzer's entry points, handing each input to the target this process runs (chosen
// by $RSP_FUZZ_TARGET, else by the program's file name, bin/fuzz_<name>). `rsp_fuzz -list` names
// the targets.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "fuzz_target.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/kit.hpp"

namespace rsp::fuzz {
namespace {

std::map<std::string, Target>& targets() {
  static std::map<std::string, Target> all;
  return all;
}
const Target* chosen = nullptr;

}  // namespace

bool register_target(const Target& target) {
  targets()[target.name] = target;
  return true;
}

// On a memory file system when the machine has one: the stores and the card write with fsync, which
// on a disk took more than half of es10_card's time.
const std::filesystem::path& work_dir() {
  static rsp::test::TempDir dir(std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                          : std::filesystem::temp_directory_path());
  return dir.path();
}

const std::filesystem::path& test_pki() {
  static const std::filesystem::path pki = [] {
    std::filesystem::path dir = work_dir() / "pki";
    if (auto made = rsp::pki::make(dir, {}); !made) {
      std::fprintf(stderr, "rsp_fuzz: cannot make the test PKI: %s\n", made.error().message.c_str());
      std::abort();
    }
    return dir;
  }();
  return pki;
}

NamedBody split_named_body(const uint8_t* data, size_t size) {
  std::string_view all = text(data, size);
  size_t end = all.find('\n');
  if (end == std::string_view::npos) return {all, {}};
  return {all.substr(0, end), all.substr(end + 1)};
}

}  // namespace rsp::fuzz

using namespace rsp::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  std::string name;
  if (const char* env = std::getenv("RSP_FUZZ_TARGET")) name = env;
  if (name.empty()) {
    name = std::filesystem::path((*argv)[0]).filename().string();
    if (name.starts_with("fuzz_")) name = name.substr(5);
  }
  for (int i = 1; i < *argc; ++i) {
    if (std::strcmp((*argv)[i], "-list") == 0) {
      for (const auto& [target_name, target] : targets()) std::printf("%s\n", target_name.c_str());
      std::exit(0);
    }
  }
  auto found = targets().find(name);
  if (found == targets().end()) {
    std::fprintf(stderr,
                 "rsp_fuzz: no target '%s' (run it as bin/fuzz_<target> or with RSP_FUZZ_TARGET; -list names them)\n",
                 name.c_str());
    std::exit(2);
  }
  chosen = &found->second;
  if (chosen->init) chosen->init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  chosen->run(data, size);
  return 0;
}
