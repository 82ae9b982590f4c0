#pragma once
// An operator (MNO) that orders profiles over ES2+. Its id is what the HTTP layer derives from the
// TLS client certificate; every profile in the store belongs to one operator id.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smdp {

struct Operator {
  std::string id;
  // Where ES2+.HandleDownloadProgressInfo goes (https://host[:port]/gsma/rsp2/es2plus/handleDownloadProgressInfo);
  // absent: the operator receives no callbacks.
  std::optional<std::string> callback_url;
};

// The operator with that id, or nullptr.
inline const Operator* find_operator(const std::vector<Operator>& operators, std::string_view id) {
  for (const auto& o : operators)
    if (o.id == id) return &o;
  return nullptr;
}

}  // namespace smdp
