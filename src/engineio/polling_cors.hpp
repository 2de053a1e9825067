#pragma once
// CORS for the polling transport, as the `cors` middleware configured on Node's engine.io with
// an origin list (or "*") and credentials.
#include <string>
#include <vector>

#include "net/http.hpp"

namespace cz::engineio {

class PollingCors {
 public:
  explicit PollingCors(std::vector<std::string> origins) : origins_(std::move(origins)) {}

  bool enabled() const { return !origins_.empty(); }
  bool allows(std::string_view origin) const;

  // Adds Access-Control-Allow-Origin/-Credentials (and Vary) when the request's Origin is allowed.
  void apply(const net::Request& request, net::Response& response) const;

  // The answer to a preflight (OPTIONS) request: 204 with the allowed methods and the requested
  // headers.
  net::Response preflight(const net::Request& request) const;

 private:
  std::vector<std::string> origins_;
};

}  // namespace cz::engineio
