// tools/grafana/rsp-stack.json names only metrics the servers export: every metric in every
// panel's query and in the template variables is in the /metrics of a freshly started smdp serve,
// smds serve or eim serve, so a metric renamed or dropped in the code fails here instead of
// leaving a panel empty.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "rsp/http/client.hpp"
#include "rsp/pki/test_pki.hpp"
#include "support/child_process.hpp"
#include "tools/prometheus_names.hpp"

using nlohmann::json;
using rsp::test::exposed_metric_names;
using rsp::test::promql_metric_names;

namespace {

struct Query {
  std::string where;  // the panel's title or the variable's name
  std::string expr;
};

// Every "expr" under `node` (rows nest their panels), with the title of the panel holding it.
void collect_exprs(const json& node, const std::string& title, std::vector<Query>& out) {
  if (node.is_array()) {
    for (const auto& item : node) collect_exprs(item, title, out);
  } else if (node.is_object()) {
    std::string here = node.contains("title") && node["title"].is_string() ? node["title"].get<std::string>() : title;
    for (const auto& [key, value] : node.items()) {
      if (key == "expr" && value.is_string())
        out.push_back({here, value.get<std::string>()});
      else
        collect_exprs(value, here, out);
    }
  }
}

// The PromQL inside a query variable: label_values(EXPR, label) or query_result(EXPR).
std::vector<Query> variable_exprs(const json& dashboard) {
  static const std::regex label_values(R"(^\s*label_values\((.*),\s*\w+\s*\)\s*$)"),
      query_result(R"(^\s*query_result\((.*)\)\s*$)");
  std::vector<Query> out;
  if (!dashboard.contains("templating")) return out;
  for (const auto& v : dashboard["templating"].value("list", json::array())) {
    if (v.value("type", "") != "query") continue;
    const json q = v.value("query", json(""));
    std::string text = q.is_object() ? q.value("query", "") : q.get<std::string>();
    std::smatch m;
    if (std::regex_match(text, m, label_values) || std::regex_match(text, m, query_result))
      out.push_back({"variable " + v.value("name", ""), m[1].str()});
  }
  return out;
}

std::vector<Query> dashboard_queries(const json& dashboard) {
  std::vector<Query> queries = variable_exprs(dashboard);
  collect_exprs(dashboard.value("panels", json::array()), "", queries);
  return queries;
}

// "where: name" for each metric a query names that `exported` lacks.
std::vector<std::string> missing_metrics(const json& dashboard, const std::set<std::string>& exported) {
  std::vector<std::string> missing;
  for (const auto& q : dashboard_queries(dashboard))
    for (const auto& name : promql_metric_names(q.expr))
      if (!exported.contains(name)) missing.push_back(q.where + ": " + name);
  return missing;
}

json read_dashboard() {
  std::ifstream in(std::filesystem::path(RSP_SOURCE_DIR) / "tools/grafana/rsp-stack.json");
  REQUIRE(in);
  return json::parse(in);
}

std::string scrape(rsp::test::ChildProcess& server) {
  std::string port = server.wait_for("metrics on port (\\d+)");
  auto r = rsp::http::Client::create({})->get("http://127.0.0.1:" + port + "/metrics");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return r->body;
}

}  // namespace

TEST_CASE("PromQL metric names: functions, keywords, matchers, ranges and grouping labels are not names", "[grafana]") {
  using Names = std::set<std::string>;
  const char* quantile =
      R"(histogram_quantile(0.95, sum by (interface, le) (rate(a_bucket{job=~"$job",x="b(c) {d}"}[$__rate_interval]))))";
  CHECK(promql_metric_names(quantile) == Names{"a_bucket"});
  CHECK(promql_metric_names(
            "sum(rate(x_total[5m] offset 1h)) by (job) / on(job) group_left(instance) y and z unless vector(0)") ==
        Names{"x_total", "y", "z"});
  CHECK(promql_metric_names(R"((sum(a{o!~"E-.*"}) or vector(0)) > bool 1e3 + max_over_time(b:rate5m[10m:1m]) * Inf)") ==
        Names{"a", "b:rate5m"});
  CHECK(promql_metric_names(R"(label_replace(up, "dst", "$1", 'src', `(.*)`) - sum without (reason) (c))") ==
        Names{"up", "c"});
}

TEST_CASE("exposed metric names: samples, families declared before their first sample, a histogram's series",
          "[grafana]") {
  auto names = exposed_metric_names(
      "# HELP d_seconds Time.\n# TYPE d_seconds histogram\n# TYPE q summary\n"
      "# TYPE c_total counter\nc_total{r=\"x\"} 1\nprocess_cpu_seconds_total 0.5\n");
  CHECK(names == std::set<std::string>{"d_seconds", "d_seconds_bucket", "d_seconds_sum", "d_seconds_count", "q",
                                       "q_sum", "q_count", "c_total", "process_cpu_seconds_total"});
  CHECK_FALSE(exposed_metric_names("# TYPE c_total counter\n").contains("c_total_bucket"));
}

TEST_CASE("every metric tools/grafana/rsp-stack.json names is in the /metrics of smdp, smds or eim serve",
          "[grafana][process]") {
  const json dashboard = read_dashboard();
  CHECK(dashboard["schemaVersion"].get<int>() >= 36);
  std::set<std::string> named;
  for (const auto& q : dashboard_queries(dashboard)) named.merge(promql_metric_names(q.expr));
  CHECK(named.size() >= 10);  // the queries were found and read

  rsp::test::TempDir dir;
  const std::string pki = (dir.path() / "pki").string();
  REQUIRE(rsp::pki::make(pki, {}));
  auto db = [&](const char* name) { return "sqlite:" + (dir.path() / name).string(); };
  const std::string any_port = "127.0.0.1:0";
  rsp::test::ChildProcess smdp(
      "smdp", dir.path(),
      {"serve", "--pki", pki, "--db", db("smdp.db"), "--es9-listen", any_port, "--metrics-listen", any_port});
  rsp::test::ChildProcess smds(
      "smds", dir.path(),
      {"serve", "--pki", pki, "--db", db("smds.db"), "--listen", any_port, "--metrics-listen", any_port});
  rsp::test::ChildProcess eim(
      "eim", dir.path(),
      {"serve", "--pki", pki, "--db", db("eim.db"), "--listen", any_port, "--metrics-listen", any_port});
  std::set<std::string> exported;
  for (auto* server : {&smdp, &smds, &eim}) {
    auto names = exposed_metric_names(scrape(*server));
    CHECK(names.contains("process_cpu_seconds_total"));
    exported.merge(names);
  }
  // Nothing was asked of the servers: every family counts from its declaration.
  for (const auto& m : missing_metrics(dashboard, exported))
    FAIL_CHECK("the dashboard names a metric no server exports: " << m);

  // The check bites: a panel in a row and a variable naming metrics nobody exports.
  json broken = dashboard;
  broken["panels"].push_back(json::parse(R"j({"type": "row", "title": "Extra", "panels": [
      {"title": "Sessions", "targets": [{"expr": "sum(smdp_sessions{job=~\"$job\"})"}]}]})j"));
  broken["templating"]["list"].push_back(
      json::parse(R"j({"name": "eid", "type": "query", "query": {"query": "label_values(eim_devices_total, eid)"}})j"));
  CHECK(missing_metrics(broken, exported) ==
        std::vector<std::string>{"variable eid: eim_devices_total", "Sessions: smdp_sessions"});
}
