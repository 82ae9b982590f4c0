// Each top folder is one layer and no include runs up (issue 14): core/ includes only itself, asn1/
// core/ and itself, rsp/ the two below it, and each component (smdp, smds, eim, ipa, euicc-sim) the
// three libraries and its own headers, never another component's: components meet only on the wire.
// tools/ and the tests may use anything. An include is attributed to the folder whose include/ holds
// it (or to the includer's own folder when it is a path relative to the including file).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = RSP_SOURCE_DIR;

const std::vector<std::string> kLibraries{"core", "asn1", "rsp"};  // lowest first
const std::vector<std::string> kComponents{"smdp", "smds", "eim", "ipa", "euicc-sim"};

// Which folders a folder may include from.
std::set<std::string> allowed_for(const std::string& folder) {
  std::set<std::string> allowed{folder};
  for (const auto& library : kLibraries) {
    if (library == folder) return allowed;
    allowed.insert(library);
  }
  return allowed;  // a component: every library and itself
}

struct Include {
  fs::path file;
  int line = 0;
  std::string header;
};

std::vector<Include> quoted_includes(const fs::path& file) {
  static const std::regex include_line(R"(^\s*#\s*include\s*"([^"]+)\")");
  std::vector<Include> out;
  std::ifstream in(file);
  std::string text;
  for (int number = 1; std::getline(in, text); ++number) {
    std::smatch m;
    if (std::regex_search(text, m, include_line)) out.push_back({file, number, m[1]});
  }
  return out;
}

// The folder whose headers provide `header` as `file` includes it; nullopt when none does
// (generated asn1c headers, system headers in quotes).
std::optional<std::string> provider(const fs::path& root, const fs::path& file, const std::string& folder,
                                    const std::string& header) {
  if (fs::exists(file.parent_path() / header)) return folder;
  for (const auto& candidate : kLibraries)
    if (fs::exists(root / candidate / "include" / header)) return candidate;
  for (const auto& candidate : kComponents)
    if (fs::exists(root / candidate / "include" / header)) return candidate;
  return std::nullopt;
}

// Every include of the layered folders' own code (src/ and include/; their tests are exempt) that
// reaches a folder it may not.
std::vector<std::string> upward_includes(const fs::path& root) {
  std::vector<std::string> found;
  std::vector<std::string> folders = kLibraries;
  folders.insert(folders.end(), kComponents.begin(), kComponents.end());
  for (const auto& folder : folders) {
    const std::set<std::string> allowed = allowed_for(folder);
    for (const char* part : {"src", "include"}) {
      const fs::path base = root / folder / part;
      if (!fs::exists(base)) continue;
      for (const auto& entry : fs::recursive_directory_iterator(base)) {
        const auto extension = entry.path().extension();
        if (extension != ".cpp" && extension != ".hpp" && extension != ".h") continue;
        for (const auto& include : quoted_includes(entry.path())) {
          auto from = provider(root, entry.path(), folder, include.header);
          if (from && !allowed.count(*from))
            found.push_back(fs::relative(include.file, root).string() + ":" + std::to_string(include.line) + " (" +
                            folder + ") includes \"" + include.header + "\" from " + *from);
        }
      }
    }
  }
  return found;
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("no include runs up a layer or across components", "[layers]") {
  const auto found = upward_includes(kRoot);
  for (const auto& line : found) UNSCOPED_INFO(line);
  CHECK(found.empty());
  // The walk saw the tree: core's own sources include its headers.
  CHECK(quoted_includes(kRoot / "core/src/tlv.cpp").size() >= 1);
  CHECK(provider(kRoot, kRoot / "core/src/tlv.cpp", "core", "rsp/tlv.hpp") == "core");
  CHECK(provider(kRoot, kRoot / "rsp/src/eid.cpp", "rsp", "rsp/eid.hpp") == "rsp");
}

TEST_CASE("the layer check finds an upward and a sideways include in a tree of its own", "[layers]") {
  const fs::path root = fs::temp_directory_path() / ("rsp-layers-" + std::to_string(::getpid()));
  fs::remove_all(root);
  write(root / "core/include/rsp/bytes.hpp", "#pragma once\n");
  write(root / "rsp/include/rsp/eid.hpp", "#pragma once\n#include \"rsp/bytes.hpp\"\n");
  write(root / "core/src/bytes.cpp", "#include \"rsp/bytes.hpp\"\n#include \"rsp/eid.hpp\"\n");
  write(root / "ipa/include/ipa/transport.hpp", "#pragma once\n");
  write(root / "smdp/src/main.cpp",
        "#include \"rsp/eid.hpp\"\n#include \"ipa/transport.hpp\"\n#include \"local.hpp\"\n");
  write(root / "smdp/src/local.hpp", "#pragma once\n");
  write(root / "smdp/tests/test.cpp", "#include \"ipa/transport.hpp\"\n");  // tests are exempt

  const auto found = upward_includes(root);
  fs::remove_all(root);
  REQUIRE(found.size() == 2);
  CHECK(found[0] == "core/src/bytes.cpp:2 (core) includes \"rsp/eid.hpp\" from rsp");
  CHECK(found[1] == "smdp/src/main.cpp:2 (smdp) includes \"ipa/transport.hpp\" from ipa");
}
