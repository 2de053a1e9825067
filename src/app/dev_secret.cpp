#include "app/dev_secret.hpp"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace cz::app {

namespace {

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("cannot generate random bytes for the development JWT secret");
  std::string hex;
  for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
  return hex;
}

}  // namespace

std::string dev_secret_path(const std::string& store_url) {
  constexpr std::string_view kSqlite = "sqlite:";
  std::filesystem::path dir = "data";
  if (store_url.starts_with(kSqlite)) {
    auto db = std::filesystem::path(store_url.substr(kSqlite.size()));
    if (db.has_parent_path()) dir = db.parent_path();
  }
  return (dir / "jwt-secret").string();
}

std::string load_or_create_secret(const std::string& path) {
  std::ifstream in(path);
  std::string secret;
  if (in && std::getline(in, secret) && !secret.empty()) return secret;

  secret = random_hex(32);
  auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream out(path, std::ios::trunc);
  if (!out || !(out << secret << '\n'))
    throw std::runtime_error(fmt::format("cannot write the development JWT secret to {}", path));
  out.close();
  ::chmod(path.c_str(), 0600);
  return secret;
}

}  // namespace cz::app
