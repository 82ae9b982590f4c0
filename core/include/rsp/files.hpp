#pragma once
// File I/O that keeps data whole: a write lands completely or not at all (temp file, fsync,
// rename, fsync of the directory), and files holding secrets are created 0600.
#include <filesystem>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"

namespace rsp::files {

enum class Access { shared, secret };  // 0644 or 0600

Status<> write_atomic(const std::filesystem::path& path, ByteView contents, Access access = Access::shared);
inline Status<> write_atomic(const std::filesystem::path& path, std::string_view text, Access access = Access::shared) {
  return write_atomic(path, ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()), access);
}
Expected<Bytes> read(const std::filesystem::path& path);

}  // namespace rsp::files
