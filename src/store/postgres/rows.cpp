#include "store/postgres/rows.hpp"

#include <fmt/format.h>

namespace cz::store::postgres {
namespace {

// Room columns, in the order read_room reads them.
constexpr std::string_view kRoomColumnNames[] = {"id",
                                                 "type",
                                                 "creator",
                                                 "buyer",
                                                 "seller",
                                                 "shop_id",
                                                 "shop_json",
                                                 "buyer_info_json",
                                                 "buyer_last_seen",
                                                 "seller_last_seen",
                                                 "buyer_unseen",
                                                 "seller_unseen",
                                                 "pinned_by_buyer",
                                                 "pinned_by_seller",
                                                 "deleted_by_buyer",
                                                 "deleted_by_seller",
                                                 "buyer_deleted_at",
                                                 "seller_deleted_at",
                                                 "enable",
                                                 "created_at",
                                                 "updated_at"};
static_assert(static_cast<int>(std::size(kRoomColumnNames)) == kRoomColumnCount);

}  // namespace

std::vector<Message> read_messages(const PgResult& r) {
  std::vector<Message> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_message(PgRow{r, i}));
  return out;
}

const std::string& room_select() {
  static const std::string sql = [] {
    std::string cols;
    for (std::string_view name : kRoomColumnNames) {
      if (!cols.empty()) cols += ", ";
      cols.append("r.").append(name);
    }
    return fmt::format(
        "SELECT {}, {}, {} FROM rooms r "
        "LEFT JOIN messages bm ON bm.id = r.buyer_last_message_id "
        "LEFT JOIN messages sm ON sm.id = r.seller_last_message_id ",
        cols, message_columns("bm"), message_columns("sm"));
  }();
  return sql;
}

std::optional<Room> load_room(Connection& db, const std::string& room_id) {
  static const std::string sql = room_select() + "WHERE r.id = $1";
  PgResult r = db.query(sql, Params().add(room_id));
  if (r.rows() == 0) return std::nullopt;
  return read_room(PgRow{r, 0});
}

}  // namespace cz::store::postgres
