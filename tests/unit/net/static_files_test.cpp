// The static file handler: which paths name a file (pure), and what it answers for files in a
// real temporary directory, symlinks out of the root included.
#include "net/static_files.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <random>

namespace cz::net {
namespace {

namespace fs = std::filesystem;

TEST(StaticFilePath, MapsThePrefixAndDirectoriesToTheIndex) {
  EXPECT_EQ(static_file_path("/", "/", "index.html"), "index.html");
  EXPECT_EQ(static_file_path("/js/app.js", "/", "index.html"), "js/app.js");
  EXPECT_EQ(static_file_path("/docs/", "/", "index.html"), "docs/index.html");
  EXPECT_EQ(static_file_path("/vendor/x/a.js", "/vendor/x/", "index.html"), "a.js");
  EXPECT_EQ(static_file_path("/a%20b.txt", "/", "index.html"), "a b.txt");
  EXPECT_EQ(static_file_path("/a+b.txt", "/", "index.html"), "a+b.txt");
  EXPECT_EQ(static_file_path("/elsewhere/a.js", "/vendor/", "index.html"), std::nullopt);
}

TEST(StaticFilePath, RefusesTraversalHiddenFilesAndOddBytes) {
  for (const char* path :
       {"/../etc/passwd", "/js/../../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2fetc/passwd", "/./index.html", "/.git/config", "/js/.hidden", "//etc/passwd",
        "/js//app.js", "/a%00.js", "/a%0a.js", "/a%5c..%5cb", "/a\\b", "/%", "/%2", "/%zz"}) {
    EXPECT_EQ(static_file_path(path, "/", "index.html"), std::nullopt) << path;
  }
}

TEST(ContentTypeFor, KnowsThePageFilesAndFallsBackToBytes) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("js/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("socket.io.esm.min.js.map"), "application/json");
  EXPECT_EQ(content_type_for("style.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("shot.png"), "image/png");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
}

class FakeExchange final : public HttpExchange {
 public:
  FakeExchange(Request request, boost::asio::io_context& io)
      : request_(std::move(request)), io_(io) {}
  const Request& request() const override { return request_; }
  const std::string& remote_address() const override { return address_; }
  ShardId shard() const override { return 0; }
  boost::asio::any_io_executor executor() const override { return io_.get_executor(); }
  void respond(Response response) override { response_ = std::move(response); }
  bool is_websocket_upgrade() const override { return false; }
  std::shared_ptr<WebSocket> accept_websocket() override { return nullptr; }
  const std::optional<Response>& response() const { return response_; }

 private:
  Request request_;
  boost::asio::io_context& io_;
  std::string address_ = "127.0.0.1";
  std::optional<Response> response_;
};

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cz-static-" + std::to_string(rd()) + std::to_string(rd()));
    write_file(dir_ / "public" / "index.html", "<!doctype html><title>t</title>");
    write_file(dir_ / "public" / "js" / "app.js", "export {};");
    write_file(dir_ / "secret.txt", "outside the root");
    fs::create_symlink(dir_ / "secret.txt", dir_ / "public" / "escape.txt");
    fs::create_directory_symlink(dir_, dir_ / "public" / "up");
    fs::create_symlink(dir_ / "public" / "js" / "app.js", dir_ / "public" / "alias.js");
    StaticFilesOptions options;
    options.root = dir_ / "public";
    options.html_headers = {{"Content-Security-Policy", "default-src 'self'"}};
    handler_ = std::make_unique<StaticFiles>(std::move(options));
  }
  void TearDown() override { fs::remove_all(dir_); }

  Response get(const std::string& target, http::verb method = http::verb::get,
               const std::string& if_none_match = "") {
    Request req{method, target, 11};
    if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
    auto exchange = std::make_shared<FakeExchange>(std::move(req), io_);
    handler_->handle(exchange);
    EXPECT_TRUE(exchange->response().has_value());
    return exchange->response().value_or(Response{});
  }

  static std::string header(const Response& res, http::field field) {
    auto it = res.find(field);
    return it == res.end() ? "" : std::string(it->value());
  }

  fs::path dir_;
  boost::asio::io_context io_;
  std::unique_ptr<StaticFiles> handler_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypeAndCacheHeaders) {
  auto index = get("/");
  EXPECT_EQ(index.result(), http::status::ok);
  EXPECT_EQ(index.body(), "<!doctype html><title>t</title>");
  EXPECT_EQ(header(index, http::field::content_type), "text/html; charset=utf-8");
  EXPECT_EQ(header(index, http::field::cache_control), "no-cache");
  EXPECT_EQ(index["Content-Security-Policy"], "default-src 'self'");
  EXPECT_EQ(index["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(header(index, http::field::etag).empty());

  auto script = get("/js/app.js?v=1");
  EXPECT_EQ(script.result(), http::status::ok);
  EXPECT_EQ(header(script, http::field::content_type), "text/javascript; charset=utf-8");
  EXPECT_EQ(script["Content-Security-Policy"], "");  // only documents need it
}

TEST_F(StaticFilesTest, RevalidationWithTheEtagAnswers304) {
  const auto etag = header(get("/js/app.js"), http::field::etag);
  auto again = get("/js/app.js", http::verb::get, etag);
  EXPECT_EQ(again.result(), http::status::not_modified);
  EXPECT_TRUE(again.body().empty());
  EXPECT_EQ(header(again, http::field::etag), etag);
  EXPECT_EQ(get("/js/app.js", http::verb::get, "W/" + etag + ", \"other\"").result(),
            http::status::not_modified);
  EXPECT_EQ(get("/js/app.js", http::verb::get, "\"stale\"").result(), http::status::ok);
}

TEST_F(StaticFilesTest, HeadHasTheLengthButNoBody) {
  auto head = get("/js/app.js", http::verb::head);
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(header(head, http::field::content_length), "10");
}

TEST_F(StaticFilesTest, UnknownFilesDirectoriesAndEscapesAre404) {
  for (const char* target : {"/missing.js", "/js", "/../secret.txt", "/%2e%2e/secret.txt",
                             "/escape.txt", "/up/secret.txt"}) {
    EXPECT_EQ(get(target).result(), http::status::not_found) << target;
  }
  // Out through a symlink and back in: the file it names is inside the root, so it is served.
  EXPECT_EQ(get("/up/public/index.html").result(), http::status::ok);
  // A symlink that stays inside the root is an ordinary file.
  EXPECT_EQ(get("/alias.js").result(), http::status::ok);
}

TEST_F(StaticFilesTest, OtherMethodsOnAFileAre405) {
  auto post = get("/index.html", http::verb::post);
  EXPECT_EQ(post.result(), http::status::method_not_allowed);
  EXPECT_EQ(header(post, http::field::allow), "GET, HEAD");
  EXPECT_EQ(get("/nothing", http::verb::post).result(), http::status::not_found);
}

TEST(StaticFiles, RefusesARootThatIsNoDirectory) {
  StaticFilesOptions options;
  options.root = "/nonexistent/cz-static-root";
  EXPECT_THROW(StaticFiles{options}, std::runtime_error);
}

}  // namespace
}  // namespace cz::net
