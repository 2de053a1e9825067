#pragma once
// The embedded default must run with nothing configured, yet never accept unsigned tokens. When
// no --jwt-secret or --jwt-public-key is given, the server uses a random HS256 secret kept in a
// file beside the SQLite database (created on first start, mode 0600), so that a developer can
// mint tokens for local clients and the secret survives restarts.
#include <string>

namespace cz::app {

// Reads the secret at `path`, creating the file with 32 random bytes (hex) when it is missing.
// Throws std::runtime_error when the file cannot be read or written.
std::string load_or_create_secret(const std::string& path);

// Where the development secret lives for a store URL: beside an sqlite:PATH database, or in
// ./data for other stores.
std::string dev_secret_path(const std::string& store_url);

}  // namespace cz::app
