// Where each setting comes from: flag > CZ_* variable > --config file > default.
#include "app/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cz::app {
namespace {

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
};

// A config file in a temp dir, removed afterwards.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("cz-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) +
               ".toml")) {
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

struct Parsed {
  std::optional<Config> config;
  int exit_code = -1;
  std::string out;
  std::string err;

  // The parsed config (a failure, and the defaults, when parsing failed).
  const Config* operator->() const {
    static const Config defaults;
    if (config) return &*config;
    ADD_FAILURE() << "parse failed: " << err;
    return &defaults;
  }
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "cz-messenger");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  Parsed p;
  std::ostringstream out, err;
  p.config = parse_config(static_cast<int>(argv.size()), argv.data(), p.exit_code, out, err);
  p.out = out.str();
  p.err = err.str();
  return p;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A developer's shell may have some of these set.
    for (const char* name : {"CZ_PORT", "CZ_HOST", "CZ_CONFIG", "CZ_PING_INTERVAL", "CZ_LOG_FORMAT",
                             "CZ_SHUTDOWN_TIMEOUT", "CZ_CORS_ORIGIN"})
      ::unsetenv(name);
  }
};

TEST_F(ConfigTest, FlagBeatsVariableBeatsFileBeatsDefault) {
  ConfigFile file("port = 4001\nhost = \"127.0.0.2\"\n");
  EXPECT_EQ(parse({})->port, 3000) << "default";
  EXPECT_EQ(parse({"--config", file.path()})->port, 4001) << "file over default";
  {
    ScopedEnv env("CZ_PORT", "4002");
    auto p = parse({"--config", file.path()});
    ASSERT_TRUE(p.config) << p.err;
    EXPECT_EQ(p.config->port, 4002) << "variable over file";
    EXPECT_EQ(p.config->host, "127.0.0.2") << "the file's other keys still apply";
    EXPECT_EQ(parse({"--config", file.path(), "--port", "4003"})->port, 4003) << "flag over all";
    EXPECT_EQ(parse({"--port=4003"})->port, 4003);
  }
  {
    ScopedEnv empty("CZ_PORT", "");
    EXPECT_EQ(parse({"--config", file.path()})->port, 4001) << "an empty variable is unset";
  }
}

TEST_F(ConfigTest, EveryFlagHasAKey) {
  // Each key set to something other than its default.
  ConfigFile file(R"(host = "0.0.0.0"
port = 4100
threads = 3
cors-origin = ["https://a.example", "https://b.example"]
header-timeout = 5000
max-pending-headers-per-ip = 7
ping-interval = 1000
ping-timeout = 2000
max-payload = 5000
max-send-queue = 8192
fragment-timeout = 3000
max-control-frames = 4
store = "memory"
jwt-secret = "s3cret"
max-message-size = 100
shop-service = "http://shops.internal/{id}"
account-service = "http://accounts.internal/{id}"
lookup-timeout = 300
event-rate = 5.5
event-burst = 9
max-refused-events = 11
max-sockets-per-user = 2
redis = "redis://127.0.0.1:6390"
presence-ttl = 4000
log-level = "debug"
log-format = "json"
shutdown-timeout = "2s"
)");
  auto p = parse({"--config", file.path()});
  ASSERT_TRUE(p.config) << p.err;
  const Config& c = *p.config;
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 4100);
  EXPECT_EQ(c.threads, 3u);
  EXPECT_EQ(c.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.header_timeout_ms, 5000u);
  EXPECT_EQ(c.max_pending_headers_per_ip, 7u);
  EXPECT_EQ(c.ping_interval_ms, 1000u);
  EXPECT_EQ(c.ping_timeout_ms, 2000u);
  EXPECT_EQ(c.max_payload, 5000u);
  EXPECT_EQ(c.max_send_queue, 8192u);
  EXPECT_EQ(c.fragment_timeout_ms, 3000u);
  EXPECT_EQ(c.max_control_frames, 4u);
  EXPECT_EQ(c.store, "memory");
  EXPECT_EQ(c.jwt_secret, "s3cret");
  EXPECT_EQ(c.max_message_size, 100u);
  EXPECT_EQ(c.shop_service, "http://shops.internal/{id}");
  EXPECT_EQ(c.account_service, "http://accounts.internal/{id}");
  EXPECT_EQ(c.lookup_timeout_ms, 300u);
  EXPECT_DOUBLE_EQ(c.event_rate, 5.5);
  EXPECT_EQ(c.event_burst, 9u);
  EXPECT_EQ(c.max_refused_events, 11u);
  EXPECT_EQ(c.max_sockets_per_user, 2u);
  EXPECT_EQ(c.redis, "redis://127.0.0.1:6390");
  EXPECT_EQ(c.presence_ttl_ms, 4000u);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_format, "json");
  EXPECT_EQ(c.shutdown_timeout_ms, 2000u);
  EXPECT_EQ(c.config_file, file.path());
}

TEST_F(ConfigTest, TheFileIsCheckedAsFlagsAre) {
  ConfigFile unknown("prot = 4000\n");
  auto p = parse({"--config", unknown.path()});
  EXPECT_FALSE(p.config);
  EXPECT_NE(p.exit_code, 0);
  EXPECT_NE(p.err.find("prot"), std::string::npos) << p.err;

  ConfigFile out_of_range("ping-interval = 5\n");
  p = parse({"--config", out_of_range.path()});
  EXPECT_FALSE(p.config);
  EXPECT_NE(p.err.find("ping-interval"), std::string::npos) << p.err;

  ConfigFile bad_choice("log-format = \"xml\"\n");
  p = parse({"--config", bad_choice.path()});
  EXPECT_FALSE(p.config);
  EXPECT_NE(p.err.find("xml"), std::string::npos) << p.err;

  p = parse({"--config", "/nonexistent/cz.toml"});
  EXPECT_FALSE(p.config);
  EXPECT_NE(p.exit_code, 0);
  EXPECT_NE(p.err.find("/nonexistent/cz.toml"), std::string::npos) << p.err;
}

TEST_F(ConfigTest, TheFileMayComeFromTheEnvironment) {
  ConfigFile file("ping-interval = 1234\n");
  {
    ScopedEnv env("CZ_CONFIG", file.path());
    auto p = parse({});
    ASSERT_TRUE(p.config) << p.err;
    EXPECT_EQ(p.config->ping_interval_ms, 1234u);
    EXPECT_EQ(p.config->config_file, file.path());
  }
  ScopedEnv missing("CZ_CONFIG", "/nonexistent/cz.toml");
  auto p = parse({});
  EXPECT_FALSE(p.config) << "a file named by CZ_CONFIG must exist";
}

TEST_F(ConfigTest, ShutdownTimeoutTakesMillisecondsOrSeconds) {
  EXPECT_EQ(parse({})->shutdown_timeout_ms, 5000u);
  EXPECT_EQ(parse({"--shutdown-timeout", "1500"})->shutdown_timeout_ms, 1500u);
  EXPECT_EQ(parse({"--shutdown-timeout", "1500ms"})->shutdown_timeout_ms, 1500u);
  EXPECT_EQ(parse({"--shutdown-timeout", "3s"})->shutdown_timeout_ms, 3000u);
  {
    ScopedEnv env("CZ_SHUTDOWN_TIMEOUT", "2s");
    EXPECT_EQ(parse({})->shutdown_timeout_ms, 2000u);
  }
  EXPECT_FALSE(parse({"--shutdown-timeout", "2m"}).config) << "no such unit";
  EXPECT_FALSE(parse({"--shutdown-timeout", "10"}).config) << "below 100 ms";
  EXPECT_FALSE(parse({"--shutdown-timeout", "-1s"}).config);
}

TEST_F(ConfigTest, HelpNamesTheVariablesAndTheFile) {
  auto p = parse({"--help"});
  EXPECT_FALSE(p.config);
  EXPECT_EQ(p.exit_code, 0);
  for (const char* text : {"CZ_PORT", "CZ_LOG_FORMAT", "CZ_SHUTDOWN_TIMEOUT", "CZ_CONFIG",
                           "--config", "--log-format", "--shutdown-timeout"})
    EXPECT_NE(p.out.find(text), std::string::npos) << text << " missing from --help:\n" << p.out;
}

}  // namespace
}  // namespace cz::app
