// Sealing key files and the environment (rsp/crypto/sealing.hpp). Messages name the file or the
// variable, never the key.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "rsp/crypto/sealing.hpp"
#include "rsp/files.hpp"

namespace rsp::crypto {
namespace {

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

}  // namespace

Expected<SealingKey> read_sealing_key_file(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    if (errno == ENOENT) return fail("the profile key file " + file.string() + " is missing");
    return fail("the profile key file " + file.string() + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) return fail("the profile key file " + file.string() + " is not a regular file");
  if (info.st_mode & 077)
    return fail("the profile key file " + file.string() + " may be read or written by others (mode " +
                octal(info.st_mode) + "): chmod 600 it");
  auto contents = files::read(file);
  if (!contents) return fail("the profile key file " + file.string() + " cannot be read");
  auto key = SealingKey::from_hex(std::string_view(reinterpret_cast<const char*>(contents->data()), contents->size()));
  wipe(*contents);
  if (!key) return fail("the profile key file " + file.string() + " holds no key (" + key.error().message + ")");
  return key;
}

// Written whole to a temporary file first and linked into place, so that another process never
// reads a key file half written, and two that make one at once do not overwrite each other.
Expected<SealingKey> create_sealing_key_file(const std::filesystem::path& file) {
  SealingKey key = SealingKey::generate();
  std::string text = key.to_key_file_text();
  std::filesystem::path temporary = file;
  temporary += ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot create the profile key file " + file.string() + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // whatever the umask
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  std::string reason = std::strerror(errno);
  ::close(fd);
  std::fill(text.begin(), text.end(), '\0');
  const bool linked = written && ::link(temporary.c_str(), file.c_str()) == 0;
  if (written && !linked) reason = std::strerror(errno);
  ::unlink(temporary.c_str());
  if (!linked) return fail("cannot create the profile key file " + file.string() + ": " + reason);
  const auto dir = file.parent_path();
  if (int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
    ::fsync(d);
    ::close(d);
  }
  return key;
}

Expected<std::optional<ResolvedSealingKey>> resolve_sealing_key(std::string_view variable,
                                                                const std::filesystem::path& file, bool named) {
  const std::string name(variable);
  if (const char* value = std::getenv(name.c_str()); value && *value) {
    if (named) return fail("both $" + name + " and a profile key file (" + file.string() + ") are given: give one");
    auto key = SealingKey::from_hex(value);
    if (!key) return fail("$" + name + " holds no key (" + key.error().message + ")");
    return std::optional(ResolvedSealingKey{std::move(*key), "$" + name, false});
  }
  std::error_code ec;
  if (!named && !std::filesystem::exists(file, ec) && !ec) return std::optional<ResolvedSealingKey>();
  auto key = read_sealing_key_file(file);
  if (!key) return Unexpected{key.error()};
  return std::optional(ResolvedSealingKey{std::move(*key), file.string(), false});
}

}  // namespace rsp::crypto
