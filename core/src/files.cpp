#include "rsp/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace rsp::files {
namespace {

std::string describe(const std::filesystem::path& p, const char* what) {
  return std::string(what) + " " + p.string() + ": " + std::strerror(errno);
}

Status<> sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(describe(dir, "cannot open directory"));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return fail(describe(dir, "cannot sync directory"));
  return Ok{};
}

}  // namespace

Status<> write_atomic(const std::filesystem::path& path, ByteView contents, Access access) {
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  mode_t mode = access == Access::secret ? 0600 : 0644;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail(describe(tmp, "cannot create"));
  ::fchmod(fd, mode);  // O_CREAT's mode is filtered by the umask and ignored for an existing file
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto err = describe(tmp, "cannot write");
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = describe(tmp, "cannot sync");
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = describe(path, "cannot replace");
    ::unlink(tmp.c_str());
    return fail(err);
  }
  return sync_directory(path.parent_path());
}

Expected<Bytes> read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace rsp::files
