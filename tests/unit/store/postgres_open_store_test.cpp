// open_store with postgres:// and postgresql:// URLs, against the test server.
#include "store/postgres/postgres_url.hpp"
#include "store_test_support.hpp"

namespace cz::store::testing {
namespace {

std::string message_of(const std::string& url) {
  try {
    open_store(url);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(opened)";
}

class PostgresOpenStore : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      server_ = &PostgresServer::shared();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
  }
  PostgresServer* server_ = nullptr;
};

TEST_F(PostgresOpenStore, OpensBothSchemesWithLibpqAndOwnParameters) {
  const std::string url = server_->create_database();
  const std::string rest = url.substr(std::string("postgres://").size());
  auto store =
      open_store("postgres://" + rest +
                 "?readers=3&connect_timeout=3&queue_wait_ms=2000&queue_bytes=1048576&pipeline=1");
  auto created = wait<CreateRoomResult>([&](auto d) {
    store->create_room({"BS", "b", "s", "shop", "b", R"({"name":"x"})", "null"}, d);
  });
  ASSERT_TRUE(created.ok()) << created.error().message;
  store->shutdown();

  auto again = open_store("postgresql://" + rest);
  auto room = wait<std::optional<Room>>([&](auto d) { again->get_room("b.s", d); });
  ASSERT_TRUE(room.ok() && room->has_value());
  // readers=3 opened three read connections and one for the writer.
  const std::string db = url.substr(url.rfind('/') + 1);
  EXPECT_EQ(server_->sql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '" +
                                         db + "' AND application_name = 'cz-messenger'"),
            "5");  // `again` has the default 4 readers + 1 writer
}

TEST(PostgresUrl, TakesTheStoresOwnParametersAndLeavesLibpqTheRest) {
  const postgres::PostgresOptions defaults = postgres::parse_postgres_url("postgres://h/db");
  EXPECT_EQ(defaults.url, "postgres://h/db");
  EXPECT_EQ(defaults.commit_window, std::chrono::microseconds(1000));
  EXPECT_TRUE(defaults.pipeline);
  const postgres::PostgresOptions o = postgres::parse_postgres_url(
      "postgres://h/db?sslmode=disable&commit_window_us=0&readers=2&queue_wait_ms=250"
      "&pipeline=0&application_name=x");
  EXPECT_EQ(o.url, "postgres://h/db?sslmode=disable&application_name=x");
  EXPECT_EQ(o.commit_window, std::chrono::microseconds(0));
  EXPECT_EQ(o.reader_connections, 2u);
  EXPECT_EQ(o.queue_wait, std::chrono::milliseconds(250));
  EXPECT_FALSE(o.pipeline);
  EXPECT_EQ(postgres::parse_postgres_url("postgres://h/db?commit_window_us=100000").commit_window,
            std::chrono::microseconds(100'000));
}

TEST_F(PostgresOpenStore, ExplainsBadUrlsAndUnreachableServers) {
  const std::string port = std::to_string(server_->port());
  EXPECT_NE(message_of("postgres://postgres@127.0.0.1:" + port + "/db?readers=0").find("readers"),
            std::string::npos);
  EXPECT_NE(message_of("postgres://postgres@127.0.0.1:" + port + "/db?colour=blue").find("colour"),
            std::string::npos);
  for (const char* bad : {"queue_wait_ms=5", "queue_wait_ms=x", "queue_bytes=10", "pipeline=2",
                          "commit_window_us=100001", "commit_window_us=-1"}) {
    const std::string key = std::string(bad).substr(0, std::string(bad).find('='));
    EXPECT_NE(message_of("postgres://postgres@127.0.0.1:" + port + "/db?" + bad).find(key),
              std::string::npos)
        << bad;
  }
  EXPECT_NE(message_of("postgres://[::1/db").find("invalid store URL"), std::string::npos);
  // Nothing listens on port 1.
  EXPECT_NE(message_of("postgres://u:secret@127.0.0.1:1/db").find("cannot connect to PostgreSQL"),
            std::string::npos);
  EXPECT_EQ(message_of("postgres://u:secret@127.0.0.1:1/db").find("secret"), std::string::npos);
  // A database that does not exist.
  EXPECT_NE(message_of("postgres://postgres@127.0.0.1:" + port + "/no_such_db").find("no_such_db"),
            std::string::npos);
}

}  // namespace
}  // namespace cz::store::testing
