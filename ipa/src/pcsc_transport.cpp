// PC/SC through pcsc-lite: a reader chosen by its index or a part of its name, shared (or
// exclusive) access with T=0 or T=1, whichever reader and card agree on. APDUs pass through as
// they are; T=0's 61xx and 6Cxx come back to the channel layer, which handles them for every driver.
#include <pcsclite.h>
#include <winscard.h>

#include <vector>

#include "ipa/transport.hpp"

namespace ipa {
namespace {

std::string pcsc_error(const std::string& what, LONG rv) { return what + ": " + pcsc_stringify_error(rv); }

class PcscTransport final : public Transport {
 public:
  PcscTransport(SCARDCONTEXT context, std::string reader, const TransportOptions& options)
      : context_(context), wanted_(std::move(reader)), exclusive_(options.exclusive) {}
  ~PcscTransport() override {
    close();
    SCardReleaseContext(context_);
  }

  rsp::Expected<Bytes> connect() override {
    if (card_ == 0) {
      auto reader = find_reader();
      if (!reader) return rsp::Unexpected{reader.error()};
      reader_ = *reader;
      LONG rv = SCardConnect(context_, reader_.c_str(), exclusive_ ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED,
                             SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card_, &protocol_);
      if (rv != SCARD_S_SUCCESS) {
        card_ = 0;
        return rsp::fail(pcsc_error(describe() + ": SCardConnect", rv));
      }
    }
    Bytes atr(MAX_ATR_SIZE);
    DWORD atr_size = static_cast<DWORD>(atr.size());
    DWORD state = 0, protocol = 0;
    char name[MAX_READERNAME];
    DWORD name_size = sizeof name;
    LONG rv = SCardStatus(card_, name, &name_size, &state, &protocol, atr.data(), &atr_size);
    if (rv != SCARD_S_SUCCESS) return rsp::fail(pcsc_error(describe() + ": SCardStatus", rv));
    atr.resize(atr_size);
    return atr;
  }

  void close() override {
    if (card_ == 0) return;
    SCardDisconnect(card_, SCARD_LEAVE_CARD);  // the modem or other clients may still use the card
    card_ = 0;
  }

  std::string describe() const override { return "pcsc:" + (reader_.empty() ? wanted_ : reader_); }
  std::optional<int> active_protocol() const override {
    if (card_ == 0) return std::nullopt;
    return protocol_ == SCARD_PROTOCOL_T1   ? std::optional<int>(1)
           : protocol_ == SCARD_PROTOCOL_T0 ? std::optional<int>(0)
                                            : std::nullopt;
  }

 protected:
  rsp::Expected<Bytes> exchange(ByteView command_apdu) override {
    if (card_ == 0) return rsp::fail(describe() + ": not connected");
    const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
    Bytes response(MAX_BUFFER_SIZE_EXTENDED);
    DWORD size = static_cast<DWORD>(response.size());
    LONG rv = SCardTransmit(card_, pci, command_apdu.data(), static_cast<DWORD>(command_apdu.size()), nullptr,
                            response.data(), &size);
    if (rv != SCARD_S_SUCCESS) return rsp::fail(pcsc_error(describe() + ": SCardTransmit", rv));
    response.resize(size);
    return response;
  }

 private:
  rsp::Expected<std::vector<std::string>> readers() {
    DWORD size = 0;
    LONG rv = SCardListReaders(context_, nullptr, nullptr, &size);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
    if (rv != SCARD_S_SUCCESS) return rsp::fail(pcsc_error("SCardListReaders", rv));
    std::string buffer(size, '\0');
    rv = SCardListReaders(context_, nullptr, buffer.data(), &size);
    if (rv != SCARD_S_SUCCESS) return rsp::fail(pcsc_error("SCardListReaders", rv));
    std::vector<std::string> names;
    for (size_t at = 0; at < buffer.size() && buffer[at] != '\0'; at += names.back().size() + 1)
      names.emplace_back(buffer.c_str() + at);
    return names;
  }

  // "": the first reader; all digits: that index; otherwise the first whose name contains it.
  rsp::Expected<std::string> find_reader() {
    auto names = readers();
    if (!names) return rsp::Unexpected{names.error()};
    if (names->empty()) return rsp::fail("pcsc: no PC/SC reader is connected");
    std::string listing;
    for (size_t i = 0; i < names->size(); ++i) listing += (i ? ", " : "") + std::to_string(i) + ": " + (*names)[i];
    if (wanted_.empty()) return names->front();
    if (wanted_.find_first_not_of("0123456789") == std::string::npos && wanted_.size() < 4) {
      size_t index = std::stoul(wanted_);
      if (index < names->size()) return (*names)[index];
      return rsp::fail("pcsc:" + wanted_ + ": no reader with that index (" + listing + ")");
    }
    for (const auto& name : *names)
      if (name.find(wanted_) != std::string::npos) return name;
    return rsp::fail("pcsc:" + wanted_ + ": no reader name contains that (" + listing + ")");
  }

  SCARDCONTEXT context_;
  std::string wanted_;
  std::string reader_;
  bool exclusive_;
  SCARDHANDLE card_ = 0;
  DWORD protocol_ = 0;
};

}  // namespace

rsp::Expected<std::unique_ptr<Transport>> open_pcsc_transport(std::string_view reader,
                                                              const TransportOptions& options) {
  SCARDCONTEXT context = 0;
  LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context);
  if (rv != SCARD_S_SUCCESS) return rsp::fail(pcsc_error("pcsc: cannot reach pcscd (SCardEstablishContext)", rv));
  return std::unique_ptr<Transport>(std::make_unique<PcscTransport>(context, std::string(reader), options));
}

}  // namespace ipa
