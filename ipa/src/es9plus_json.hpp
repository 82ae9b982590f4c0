#pragma once
// The pieces of the JSON binding (SGP.22 v2.5 §6.5) that ES9+ and ES11 share: a function's request
// (POST /gsma/rsp2/es9plus/<function>, as lpac and the root SM-DSs use it for ES11 too) and an
// answer read field by field, with header.functionExecutionStatus as the function's failure.
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>

#include "es9plus_wire.hpp"

namespace ipa {

using nlohmann::json;

Es9WireRequest json_request(Es9Function function, const json& body);

// The answer's fields; the first one missing or malformed is remembered as the protocol error.
class JsonAnswer {
 public:
  JsonAnswer(Es9Function function, const std::string& body);

  // Executed-Success or Executed-WithWarning; otherwise the server's status and codes.
  std::optional<rsp::Unexpected<Es9Error>> failure() const;

  Bytes base64(const char* name) {
    return decoded(name, "base64", [](const std::string& s) { return rsp::from_base64(s); });
  }
  Bytes hex(const char* name) {
    return decoded(name, "hex", [](const std::string& s) { return rsp::from_hex(s); });
  }
  // A member of the body; nullptr when absent.
  const json* at(std::initializer_list<const char*> path) const;
  // Marks the answer malformed (the first problem wins).
  void problem(std::string what) {
    if (!problem_) problem_ = std::move(what);
  }

  // The output, or the first field problem.
  template <class T>
  Es9Result<T> result(T value) const {
    if (problem_) return es9_protocol_error(function_, *problem_);
    return value;
  }

 private:
  template <class Decode>
  Bytes decoded(const char* name, const char* form, Decode decode) {
    if (problem_) return {};
    const json* field = at({name});
    std::optional<Bytes> bytes;
    if (field && field->is_string()) bytes = decode(field->get<std::string>());
    if (!bytes || bytes->empty()) {
      problem_ = std::string("field ") + name + " missing or not " + form;
      return {};
    }
    return std::move(*bytes);
  }

  Es9Function function_;
  json body_;
  std::optional<std::string> problem_;
};

}  // namespace ipa
