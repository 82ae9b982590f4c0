// The EimStore over any rsp::sql::Database: one set of statements for SQLite and PostgreSQL.
// Every change is one conditional UPDATE (a version or a state compared in its WHERE), so of two
// writers, also two instances on one database, exactly one wins.
#include "eim/store.hpp"

#include <array>

#include "rsp/eid.hpp"
#include "rsp/sql/rows.hpp"

namespace eim {
namespace {

using rsp::sql::Outcome;
using rsp::sql::Row;
using rsp::sql::Value;

const std::vector<rsp::sql::SchemaStep>& eim_schema() {
  static const std::vector<rsp::sql::SchemaStep> steps{
      {1,
       {R"(CREATE TABLE eim_devices (
            eid TEXT PRIMARY KEY, owner TEXT NOT NULL, eim_id TEXT NOT NULL, association_token BIGINT,
            next_counter BIGINT NOT NULL, euicc_certificate BYTES, eum_certificate BYTES, version BIGINT NOT NULL))",
        "CREATE INDEX eim_devices_by_owner ON eim_devices (owner)",
        R"(CREATE TABLE eim_packages (
            id SERIAL_KEY, eid TEXT NOT NULL, counter_value BIGINT NOT NULL, eim_transaction_id BYTES,
            request BYTES NOT NULL, state TEXT NOT NULL, result BYTES, result_summary TEXT,
            created BIGINT NOT NULL, delivered BIGINT, finished BIGINT, expires BIGINT NOT NULL,
            version BIGINT NOT NULL, UNIQUE (eid, counter_value)))",
        "CREATE INDEX eim_packages_by_state ON eim_packages (state, expires)"}},
      // Fleets: a name the owner groups devices under; results are matched by counter or transaction id.
      {2,
       {"ALTER TABLE eim_devices ADD COLUMN fleet TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX eim_devices_by_fleet ON eim_devices (owner, fleet, eid)",
        "CREATE INDEX eim_packages_by_transaction ON eim_packages (eid, eim_transaction_id)"}},
  };
  return steps;
}

constexpr std::string_view kDeviceColumns =
    "eid, owner, eim_id, association_token, next_counter, euicc_certificate, eum_certificate, version, fleet";
constexpr std::string_view kPackageColumns =
    "id, eid, counter_value, eim_transaction_id, request, state, result, result_summary, created, delivered, "
    "finished, expires, version";

constexpr std::array<std::string_view, 5> kStateNames{"queued", "delivered", "executed", "failed", "expired"};

rsp::Unexpected<StoreError> unreadable(std::string_view table) {
  return rsp::sql::error(StoreErrorKind::failed, "unreadable row in " + std::string(table));
}
rsp::Unexpected<StoreError> refused(std::string what) {
  return rsp::sql::error(StoreErrorKind::failed, std::move(what));
}

template <class T>
bool take(Value& v, T& out) {
  auto* p = std::get_if<T>(&v);
  if (!p) return false;
  out = std::move(*p);
  return true;
}
// NULL -> nullopt; the wrong type -> false.
template <class T>
bool take_optional(Value& v, std::optional<T>& out) {
  if (std::holds_alternative<std::monostate>(v)) {
    out.reset();
    return true;
  }
  T value;
  if (!take(v, value)) return false;
  out = std::move(value);
  return true;
}
template <class T>
Value optional_value(const std::optional<T>& v) {
  return v ? Value(*v) : Value(std::monostate{});
}

StoreResult<DeviceRecord> device_of(Row& row) {
  DeviceRecord r;
  if (row.size() != 9 || !take(row[0], r.eid) || !take(row[1], r.owner) || !take(row[2], r.eim_id) ||
      !take_optional(row[3], r.association_token) || !take(row[4], r.next_counter) ||
      !take_optional(row[5], r.euicc_certificate) || !take_optional(row[6], r.eum_certificate) ||
      !take(row[7], r.version) || !take(row[8], r.fleet))
    return unreadable("eim_devices");
  return r;
}

StoreResult<PackageRecord> package_of(Row& row) {
  PackageRecord r;
  std::string state;
  if (row.size() != 13 || !take(row[0], r.id) || !take(row[1], r.eid) || !take(row[2], r.counter_value) ||
      !take_optional(row[3], r.eim_transaction_id) || !take(row[4], r.request) || !take(row[5], state) ||
      !take_optional(row[6], r.result) || !take_optional(row[7], r.result_summary) || !take(row[8], r.created) ||
      !take_optional(row[9], r.delivered) || !take_optional(row[10], r.finished) || !take(row[11], r.expires) ||
      !take(row[12], r.version))
    return unreadable("eim_packages");
  auto parsed = package_state(state);
  if (!parsed) return unreadable("eim_packages");
  r.state = *parsed;
  return r;
}

StoreResult<rsp::Ok> check_device(const DeviceRecord& r) {
  if (!rsp::eid::valid(r.eid)) return refused("device: not an EID");
  if (r.owner.empty() || r.owner.size() > kMaxOwnerLength) return refused("device: owner id empty or too long");
  if (r.eim_id.empty() || r.eim_id.size() > kMaxEimIdLength) return refused("device: eimId empty or too long");
  if (r.fleet.size() > kMaxFleetLength) return refused("device: fleet name too long");
  if (r.next_counter < 0 || r.next_counter > kMaxCounterValue) return refused("device: counterValue out of range");
  if (r.euicc_certificate && (r.euicc_certificate->empty() || r.euicc_certificate->size() > kMaxCertificateLength))
    return refused("device: CERT.EUICC empty or too long");
  if (r.eum_certificate && (r.eum_certificate->empty() || r.eum_certificate->size() > kMaxCertificateLength))
    return refused("device: CERT.EUM empty or too long");
  return rsp::Ok{};
}

StoreResult<rsp::Ok> check_package(const PackageRecord& r) {
  if (!rsp::eid::valid(r.eid)) return refused("package: not an EID");
  if (r.counter_value < 0 || r.counter_value > kMaxCounterValue) return refused("package: counterValue out of range");
  if (r.eim_transaction_id && (r.eim_transaction_id->empty() || r.eim_transaction_id->size() > kMaxTransactionIdLength))
    return refused("package: eimTransactionId empty or too long");
  if (r.request.empty() || r.request.size() > kMaxPackageRequestLength)
    return refused("package: EuiccPackageRequest empty or too long");
  return rsp::Ok{};
}

StoreResult<bool> changed_one(StoreResult<Outcome> outcome) {
  if (!outcome) return rsp::Unexpected{outcome.error()};
  return outcome->changed > 0;
}

class SqlEimStore final : public EimStore {
 public:
  explicit SqlEimStore(std::unique_ptr<rsp::sql::Database> db) : db_(std::move(db)) {}

  StoreResult<bool> add_device(DeviceRecord& r) override {
    if (auto ok = check_device(r); !ok) return rsp::Unexpected{ok.error()};
    const Value params[] = {r.eid,
                            r.owner,
                            r.eim_id,
                            optional_value(r.association_token),
                            r.next_counter,
                            optional_value(r.euicc_certificate),
                            optional_value(r.eum_certificate),
                            r.fleet};
    auto added = db_->run("INSERT INTO eim_devices (" + std::string(kDeviceColumns) +
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) ON CONFLICT (eid) DO NOTHING",
                          params);
    if (!added) return rsp::Unexpected{added.error()};
    if (added->changed == 0) return false;
    r.version = 1;
    return true;
  }

  StoreResult<std::optional<DeviceRecord>> device(std::string_view eid) override {
    const Value params[] = {std::string(eid)};
    return rsp::sql::first_row(
        db_->run("SELECT " + std::string(kDeviceColumns) + " FROM eim_devices WHERE eid = $1", params), device_of);
  }

  StoreResult<std::vector<DeviceRecord>> devices(std::string_view owner, std::optional<std::string_view> fleet,
                                                 int limit) override {
    std::vector<Value> params{std::string(owner), int64_t{limit}};
    std::string where = "owner = $1";
    if (fleet) {
      params.emplace_back(std::string(*fleet));
      where += " AND fleet = $3";
    }
    return rsp::sql::all_rows(db_->run("SELECT " + std::string(kDeviceColumns) + " FROM eim_devices WHERE " + where +
                                           " ORDER BY eid LIMIT $2",
                                       params),
                              device_of);
  }

  StoreResult<bool> update_device(DeviceRecord& r) override {
    if (auto ok = check_device(r); !ok) return rsp::Unexpected{ok.error()};
    const Value params[] = {r.eid,
                            r.owner,
                            r.eim_id,
                            optional_value(r.association_token),
                            optional_value(r.euicc_certificate),
                            optional_value(r.eum_certificate),
                            r.version,
                            r.fleet};
    auto updated = db_->run(
        "UPDATE eim_devices SET owner = $2, eim_id = $3, association_token = $4, euicc_certificate = $5, "
        "eum_certificate = $6, fleet = $8, version = version + 1 WHERE eid = $1 AND version = $7",
        params);
    if (!updated) return rsp::Unexpected{updated.error()};
    if (updated->changed == 0) return false;
    ++r.version;
    return true;
  }

  StoreResult<std::optional<int64_t>> reserve_counter(std::string_view eid) override {
    const Value params[] = {std::string(eid), kMaxCounterValue};
    // One statement: the row lock (PostgreSQL) or the write lock (SQLite) orders racing callers,
    // each sees the value the one before it left.
    auto reserved = db_->run(
        "UPDATE eim_devices SET next_counter = next_counter + 1, version = version + 1 "
        "WHERE eid = $1 AND next_counter < $2 RETURNING next_counter",
        params);
    if (!reserved) return rsp::Unexpected{reserved.error()};
    if (reserved->rows.empty()) {
      auto known = device(eid);
      if (!known) return rsp::Unexpected{known.error()};
      if (!*known) return std::optional<int64_t>();
      return refused("device: counterValue exhausted");
    }
    const int64_t* next = reserved->rows[0].empty() ? nullptr : std::get_if<int64_t>(&reserved->rows[0][0]);
    if (!next) return unreadable("eim_devices");
    return std::optional<int64_t>(*next - 1);
  }

  StoreResult<rsp::Ok> enqueue(PackageRecord& r) override {
    if (auto ok = check_package(r); !ok) return rsp::Unexpected{ok.error()};
    auto owner = device(r.eid);
    if (!owner) return rsp::Unexpected{owner.error()};
    if (!*owner) return refused("package: unknown EID");
    if (r.counter_value >= (*owner)->next_counter) return refused("package: counterValue not reserved");
    const Value params[] = {r.eid,
                            r.counter_value,
                            optional_value(r.eim_transaction_id),
                            r.request,
                            std::string(name(PackageState::queued)),
                            r.created,
                            r.expires};
    auto added = db_->run(
        "INSERT INTO eim_packages (eid, counter_value, eim_transaction_id, request, state, created, expires, version) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
        params);
    if (!added) return rsp::Unexpected{added.error()};
    const int64_t* id =
        added->rows.empty() || added->rows[0].empty() ? nullptr : std::get_if<int64_t>(&added->rows[0][0]);
    if (!id) return unreadable("eim_packages");
    r.id = *id;
    r.state = PackageState::queued;
    r.result.reset();
    r.result_summary.reset();
    r.delivered.reset();
    r.finished.reset();
    r.version = 1;
    return rsp::Ok{};
  }

  StoreResult<std::optional<PackageRecord>> package(int64_t id) override {
    const Value params[] = {id};
    return rsp::sql::first_row(
        db_->run("SELECT " + std::string(kPackageColumns) + " FROM eim_packages WHERE id = $1", params), package_of);
  }

  StoreResult<std::optional<PackageRecord>> package_by_counter(std::string_view eid, int64_t counter_value) override {
    const Value params[] = {std::string(eid), counter_value};
    return rsp::sql::first_row(
        db_->run("SELECT " + std::string(kPackageColumns) + " FROM eim_packages WHERE eid = $1 AND counter_value = $2",
                 params),
        package_of);
  }

  StoreResult<std::optional<PackageRecord>> package_by_transaction_id(std::string_view eid,
                                                                      const Bytes& eim_transaction_id) override {
    const Value params[] = {std::string(eid), eim_transaction_id};
    return rsp::sql::first_row(
        db_->run("SELECT " + std::string(kPackageColumns) +
                     " FROM eim_packages WHERE eid = $1 AND eim_transaction_id = $2 ORDER BY id LIMIT 1",
                 params),
        package_of);
  }

  StoreResult<std::optional<PackageRecord>> next_package_for(std::string_view eid, int64_t now) override {
    const Value params[] = {std::string(eid), std::string(name(PackageState::queued)), now};
    return rsp::sql::first_row(
        db_->run("SELECT " + std::string(kPackageColumns) +
                     " FROM eim_packages WHERE eid = $1 AND state = $2 AND expires > $3 ORDER BY id LIMIT 1",
                 params),
        package_of);
  }

  StoreResult<bool> mark_delivered(int64_t id, int64_t now) override {
    const Value params[] = {id, std::string(name(PackageState::delivered)), now,
                            std::string(name(PackageState::queued))};
    return changed_one(db_->run(
        "UPDATE eim_packages SET state = $2, delivered = $3, version = version + 1 WHERE id = $1 AND state = $4 AND expires > $3",
        params));
  }

  StoreResult<bool> record_result(int64_t id, PackageState state, const Bytes& result, std::string_view summary,
                                  int64_t now) override {
    if (state != PackageState::executed && state != PackageState::failed)
      return refused("package: a result makes it executed or failed");
    if (result.size() > kMaxPackageResultLength) return refused("package: EuiccPackageResult too long");
    if (summary.size() > kMaxResultSummaryLength) return refused("package: result summary too long");
    const Value params[] = {
        id, std::string(name(state)), result, std::string(summary), now, std::string(name(PackageState::delivered))};
    return changed_one(db_->run(
        "UPDATE eim_packages SET state = $2, result = $3, result_summary = $4, finished = $5, version = version + 1 "
        "WHERE id = $1 AND state = $6",
        params));
  }

  StoreResult<int64_t> expire(int64_t now) override {
    const Value params[] = {std::string(name(PackageState::expired)), now, std::string(name(PackageState::queued)),
                            std::string(name(PackageState::delivered))};
    auto expired = db_->run(
        "UPDATE eim_packages SET state = $1, finished = $2, version = version + 1 WHERE state IN ($3, $4) AND expires <= $2",
        params);
    if (!expired) return rsp::Unexpected{expired.error()};
    return expired->changed;
  }

  StoreResult<std::vector<PackageRecord>> packages_for(std::string_view eid, int limit) override {
    const Value params[] = {std::string(eid), int64_t{limit}};
    return rsp::sql::all_rows(
        db_->run("SELECT " + std::string(kPackageColumns) + " FROM eim_packages WHERE eid = $1 ORDER BY id LIMIT $2",
                 params),
        package_of);
  }

 private:
  std::unique_ptr<rsp::sql::Database> db_;
};

}  // namespace

std::string_view name(PackageState state) { return kStateNames.at(static_cast<size_t>(state)); }

std::optional<PackageState> package_state(std::string_view text) {
  for (size_t i = 0; i < kStateNames.size(); ++i)
    if (kStateNames[i] == text) return static_cast<PackageState>(i);
  return std::nullopt;
}

StoreResult<std::unique_ptr<EimStore>> open_eim_store(std::string_view url) {
  auto database = rsp::sql::open_database(url, eim_schema(), "eim");
  if (!database) return rsp::Unexpected{database.error()};
  return std::unique_ptr<EimStore>(std::make_unique<SqlEimStore>(std::move(*database)));
}

}  // namespace eim
