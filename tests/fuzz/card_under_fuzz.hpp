#pragma once
// The software eUICC the card-side targets talk to, with the test PKI's credentials and its state in
// the fuzz work directory. An input that changed the card's files (a profile, an eIM, an address,
// a notification) is undone before the next one: the state as first made is copied back and the
// card opened again, so every input meets the same card (an input that changed no file costs no
// reopening). What the card keeps in memory between commands (a download session, a challenge)
// lives on, as on a real card between two commands.
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "euicc/card.hpp"
#include "euicc/euicc.hpp"
#include "fuzz_target.hpp"

namespace rsp::fuzz {

class CardUnderFuzz {
 public:
  CardUnderFuzz() {
    open(pristine_);  // creates the card's state once
    card_.reset();
    euicc_.reset();
    std::filesystem::copy(pristine_, live_, std::filesystem::copy_options::recursive);
    open(live_);
    fingerprint_ = fingerprint(live_);
  }

  euicc::Euicc& euicc() { return *euicc_; }
  euicc::Card& card() { return *card_; }

  void reset() {
    if (fingerprint(live_) == fingerprint_) return;
    card_.reset();
    euicc_.reset();
    std::filesystem::remove_all(live_);
    std::filesystem::copy(pristine_, live_, std::filesystem::copy_options::recursive);
    open(live_);
    fingerprint_ = fingerprint(live_);  // the copies' own inodes and times
  }

 private:
  void open(const std::filesystem::path& dir) {
    euicc::Options options;
    options.state_dir = dir;
    options.pki_dir = test_pki();
    euicc_ = euicc::Euicc::open(options).value();
    card_ = std::make_unique<euicc::Card>(euicc_->isdr(), euicc_->usim());
  }

  // Names, inodes, sizes and modification times of the state files. The card writes a file by
  // renaming a new one over it (rsp::files::write_atomic), so a write changes the inode even when
  // size and time (one clock tick) stay the same.
  static std::string fingerprint(const std::filesystem::path& dir) {
    std::string out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) != 0)
        throw std::filesystem::filesystem_error("lstat", entry.path(), std::error_code(errno, std::generic_category()));
      out += entry.path().string() + ':' + std::to_string(st.st_ino) + ':' + std::to_string(st.st_size) + ':' +
             std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec) + '\n';
    }
    return out;
  }

  std::filesystem::path pristine_ = work_dir() / "card-pristine";
  std::filesystem::path live_ = work_dir() / "card";
  std::unique_ptr<euicc::Euicc> euicc_;
  std::unique_ptr<euicc::Card> card_;
  std::string fingerprint_;
};

}  // namespace rsp::fuzz
