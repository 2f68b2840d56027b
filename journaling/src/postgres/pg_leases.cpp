// The lease table through libpq: registration, renewal, compare-and-set
// claims and releases, all by the database's clock.
#include <horae/core/error.hpp>
#include <horae/journaling/postgres_leases.hpp>

#include "postgres/pg_schema.hpp"
#include "postgres/pg_session.hpp"

namespace horae {

namespace {

// ttl parameters are milliseconds (bigint).
#define HORAE_PG_UNTIL "now() + $3::bigint * interval '1 millisecond'"

constexpr const char* register_sql
  = "INSERT INTO horae_nodes (node_id, incarnation, endpoint, expires_at) "
    "VALUES ($1, 1, $2, now() + $3::bigint * interval '1 millisecond') "
    "ON CONFLICT (node_id) DO UPDATE SET "
    "incarnation = horae_nodes.incarnation + 1, endpoint = excluded.endpoint, "
    "expires_at = excluded.expires_at, draining = false "
    "RETURNING incarnation";

constexpr const char* renew_node_sql
  = "UPDATE horae_nodes SET expires_at = " HORAE_PG_UNTIL
    " WHERE node_id = $1 AND incarnation = $2";

// Only leases that have not expired are extended: an expired one may
// already be someone else's, and is taken back only through a claim, with
// a new epoch.
constexpr const char* renew_leases_sql
  = "UPDATE horae_leases SET expires_at = " HORAE_PG_UNTIL
    " WHERE owner_node = $1 AND owner_incarnation = $2 "
    "AND expires_at > now() RETURNING partition::bigint, epoch";

// Row by row a compare-and-set: a second claimer waits for the first's
// commit, re-checks the condition, and finds the lease taken.
constexpr const char* claim_sql
  = "UPDATE horae_leases SET owner_node = $1, owner_incarnation = $2, "
    "epoch = epoch + 1, expires_at = " HORAE_PG_UNTIL
    " WHERE partition = ANY (string_to_array($4, ',')::int[]) "
    "AND (owner_node IS NULL OR expires_at <= now()) "
    "RETURNING partition::bigint, epoch";

constexpr const char* release_sql
  = "UPDATE horae_leases SET owner_node = NULL, owner_incarnation = NULL, "
    "expires_at = '-infinity' WHERE owner_node = $1 AND owner_incarnation = "
    "$2 AND partition = ANY (string_to_array($3, ',')::int[])";

constexpr const char* release_all_sql
  = "UPDATE horae_leases SET owner_node = NULL, owner_incarnation = NULL, "
    "expires_at = '-infinity' WHERE owner_node = $1 AND owner_incarnation = "
    "$2";

constexpr const char* leave_sql
  = "UPDATE horae_nodes SET expires_at = '-infinity' "
    "WHERE node_id = $1 AND incarnation = $2";

constexpr const char* live_nodes_sql
  = "SELECT node_id, incarnation, endpoint, "
    "(extract(epoch FROM expires_at) * 1000)::bigint FROM horae_nodes "
    "WHERE expires_at > now() AND NOT draining ORDER BY node_id";

constexpr const char* owners_sql
  = "SELECT l.partition::bigint, l.owner_node, coalesce(n.endpoint, ''), "
    "l.epoch FROM horae_leases l LEFT JOIN horae_nodes n "
    "ON n.node_id = l.owner_node WHERE l.expires_at > now() "
    "ORDER BY l.partition";

#undef HORAE_PG_UNTIL

std::vector<lease_grant> grants_of(const detail::pg_result& res) {
  std::vector<lease_grant> result;
  for (int row = 0; row < res.rows(); ++row) {
    auto p = res.int_at(row, 0, 8);
    auto epoch = res.int_at(row, 1, 8);
    if (p && epoch)
      result.push_back(
        {static_cast<uint32_t>(*p), static_cast<uint64_t>(*epoch)});
  }
  return result;
}

class pg_leases final : public postgres_leases {
public:
  pg_leases(postgres_store_options opts, std::string endpoint,
            std::unique_ptr<detail::pg_session> db, uint32_t partitions)
    : opts_(std::move(opts)), endpoint_(std::move(endpoint)),
      db_(std::move(db)), partitions_(partitions) {
    // nop
  }

  uint32_t partitions() const noexcept override {
    return partitions_;
  }

  caf::expected<uint64_t>
  register_node(std::chrono::milliseconds ttl) override {
    detail::pg_params params;
    params.text(opts_.node_id).text(endpoint_).int8(ttl.count());
    auto res = db_->exec(register_sql, params, "registering the node");
    if (!res)
      return std::move(res.error());
    auto incarnation = res->rows() == 1 ? res->int_at(0, 0, 8) : std::nullopt;
    if (!incarnation)
      return db_->failure("registering the node returned no incarnation");
    incarnation_ = static_cast<uint64_t>(*incarnation);
    return incarnation_;
  }

  caf::expected<std::vector<lease_grant>>
  renew(std::chrono::milliseconds ttl) override {
    detail::pg_params node;
    node.text(opts_.node_id)
      .int8(static_cast<int64_t>(incarnation_))
      .int8(ttl.count());
    if (auto res = db_->exec(renew_node_sql, node, "renewing the node"); !res)
      return std::move(res.error());
    auto res = db_->exec(renew_leases_sql, node, "renewing the leases");
    if (!res)
      return std::move(res.error());
    return grants_of(*res);
  }

  caf::expected<std::vector<lease_grant>>
  claim(const std::vector<uint32_t>& wanted,
        std::chrono::milliseconds ttl) override {
    if (wanted.empty())
      return std::vector<lease_grant>{};
    detail::pg_params params;
    params.text(opts_.node_id)
      .int8(static_cast<int64_t>(incarnation_))
      .int8(ttl.count())
      .partitions(wanted);
    auto res = db_->exec(claim_sql, params, "claiming leases");
    if (!res)
      return std::move(res.error());
    return grants_of(*res);
  }

  caf::error release(const std::vector<uint32_t>& partitions) override {
    if (partitions.empty())
      return caf::none;
    detail::pg_params params;
    params.text(opts_.node_id)
      .int8(static_cast<int64_t>(incarnation_))
      .partitions(partitions);
    auto res = db_->exec(release_sql, params, "releasing leases");
    return res ? caf::none : std::move(res.error());
  }

  caf::error leave() override {
    detail::pg_params params;
    params.text(opts_.node_id).int8(static_cast<int64_t>(incarnation_));
    if (auto res = db_->exec(release_all_sql, params, "releasing leases"); !res)
      return std::move(res.error());
    auto res = db_->exec(leave_sql, params, "leaving the cluster");
    return res ? caf::none : std::move(res.error());
  }

  caf::expected<std::vector<live_node>> live_nodes() override {
    detail::pg_params none;
    auto res = db_->exec(live_nodes_sql, none, "reading the live nodes");
    if (!res)
      return std::move(res.error());
    std::vector<live_node> result;
    for (int row = 0; row < res->rows(); ++row) {
      auto incarnation = res->int_at(row, 1, 8);
      result.push_back(
        {res->bytes_at(row, 0), static_cast<uint64_t>(incarnation.value_or(0)),
         res->bytes_at(row, 2), res->int_at(row, 3, 8).value_or(0)});
    }
    return result;
  }

  caf::expected<std::vector<lease_owner>> owners() override {
    detail::pg_params none;
    auto res = db_->exec(owners_sql, none, "reading the lease owners");
    if (!res)
      return std::move(res.error());
    std::vector<lease_owner> result;
    for (int row = 0; row < res->rows(); ++row) {
      auto p = res->int_at(row, 0, 8);
      auto epoch = res->int_at(row, 3, 8);
      if (p && epoch)
        result.push_back({static_cast<uint32_t>(*p), res->bytes_at(row, 1),
                          res->bytes_at(row, 2),
                          static_cast<uint64_t>(*epoch)});
    }
    return result;
  }

private:
  postgres_store_options opts_;
  std::string endpoint_;
  std::unique_ptr<detail::pg_session> db_;
  uint32_t partitions_;
  uint64_t incarnation_ = 0;
};

} // namespace

postgres_leases::~postgres_leases() {
  // nop
}

caf::expected<std::unique_ptr<postgres_leases>>
postgres_leases::open(const postgres_store_options& opts,
                      std::string endpoint) {
  if (opts.node_id.empty())
    return make_error(errc::invalid_argument,
                      "the lease table needs this node's id");
  auto db = std::make_unique<detail::pg_session>(opts);
  if (auto err = db->connect_waiting(opts.startup_wait))
    return err;
  if (auto err = detail::migrate_pg(*db, true, false))
    return err;
  auto partitions = detail::settle_partitions(*db, opts.partitions, true);
  if (!partitions)
    return std::move(partitions.error());
  return std::unique_ptr<postgres_leases>{std::make_unique<pg_leases>(
    opts, std::move(endpoint), std::move(db), *partitions)};
}

} // namespace horae
