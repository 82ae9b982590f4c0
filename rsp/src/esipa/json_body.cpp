#include "json_body.hpp"

#include "rsp/esipa/esipa_json.hpp"
#include "rsp/untrusted_json.hpp"

namespace rsp::esipa::detail {

using nlohmann::json;

Expected<json> parse_object(std::string_view body, std::string_view what, bool from_peer) {
  std::string name(what);
  if (body.size() > kMaxBodySize)
    return fail(name + ": the body has " + std::to_string(body.size()) + " bytes, more than the " +
                std::to_string(kMaxBodySize) + " accepted");
  // Depth and size bounded in constant memory before anything is built (rsp/untrusted_json.hpp).
  if (auto why = json_out_of_bounds(body, kMaxJsonDepth)) {
    if (from_peer) count_refusal(Refusal::json, {}, name + ": " + *why);
    return fail(name + ": " + *why);
  }
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail(name + ": not JSON");
  if (!parsed.is_object()) return fail(name + ": not a JSON object");
  return parsed;
}

Expected<std::string> dump(const json& j) {
  try {
    return j.dump();
  } catch (const json::exception&) {
    return fail("a text member is not valid UTF-8");
  }
}

namespace {

// A member that must be an object; nullptr with `error` set when it is absent or another type.
const json* object_member(const json& parent, const char* name, const std::string& path, std::string& error) {
  auto it = parent.find(name);
  if (it == parent.end()) {
    error = path + name + " is missing";
    return nullptr;
  }
  if (!it->is_object()) {
    error = path + name + " is not an object";
    return nullptr;
  }
  return &*it;
}

Expected<std::string> optional_text(const json& parent, const char* name, const std::string& path) {
  auto it = parent.find(name);
  if (it == parent.end() || it->is_null()) return std::string();
  if (!it->is_string()) return fail(path + name + " is not a string");
  return it->get<std::string>();
}

}  // namespace

Expected<server::FunctionStatus> read_status(const json& body) {
  using Status = server::FunctionStatus::Status;
  std::string error;
  const json* header = object_member(body, "header", "", error);
  const json* execution = header ? object_member(*header, "functionExecutionStatus", "header.", error) : nullptr;
  if (!execution) return fail("the eIM's answer: " + error);
  const std::string path = "header.functionExecutionStatus.";
  auto status = execution->find("status");
  if (status == execution->end() || !status->is_string())
    return fail("the eIM's answer: " + path + "status is not a string");
  server::FunctionStatus out;
  const auto& text = status->get_ref<const std::string&>();
  if (text == "Executed-Success") return out;
  if (text == "Executed-WithWarning") {
    out.status = Status::executed_with_warning;
    return out;
  }
  if (text != "Failed" && text != "Expired")
    return fail("the eIM's answer: unknown " + path + "status '" + text.substr(0, 40) + "'");
  out.status = text == "Failed" ? Status::failed : Status::expired;
  auto data = execution->find("statusCodeData");
  if (data == execution->end() || data->is_null()) return out;
  if (!data->is_object()) return fail("the eIM's answer: " + path + "statusCodeData is not an object");
  const std::string data_path = path + "statusCodeData.";
  auto subject = optional_text(*data, "subjectCode", data_path);
  auto reason = optional_text(*data, "reasonCode", data_path);
  auto message = optional_text(*data, "message", data_path);
  for (const auto* part : {&subject, &reason, &message})
    if (!*part) return fail("the eIM's answer: " + part->error().message);
  out.subject_code = *subject;
  out.reason_code = *reason;
  out.message = message->substr(0, 200);
  return out;
}

}  // namespace rsp::esipa::detail
