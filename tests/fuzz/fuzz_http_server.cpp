// Fuzz target: bytes as a client would send them to the local credential endpoints, framed and parsed as the
// server does, then handed to the ECS and IMDS handlers. "@ECS@" in the input becomes the ECS token and
// "@IMDS@" a freshly issued IMDS token, so the authenticated paths are reached. Invariants: framing stays in
// bounds; a parsed request is well formed; credentials go out only for the exact token and a loopback Host;
// no response can split its head; nothing throws.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.h"
#include "server/credential_endpoint.h"
#include "server/http_server.h"

namespace {

using namespace kura;

constexpr uint16_t k_port = 8080;

struct FixedClock final : Clock {
  TimePoint now() const override { return TimePoint(std::chrono::seconds(1'800'000'000)); }
  void sleep_for(std::chrono::milliseconds) override {}
};

struct World {
  FixedClock clock;
  RenewingCredentials credentials{[this]() -> Result<Credentials> {
                                    Credentials c;
                                    c.access_key_id = "ASIAFUZZFUZZFUZZFUZZ";
                                    c.secret_access_key = Secret(std::string("fuzz-secret"));
                                    c.session_token = Secret(std::string("fuzz-session"));
                                    c.expiration = clock.now() + std::chrono::hours(1);
                                    return c;
                                  },
                                  RenewalPolicy{}, clock};
  // Never succeeds, and quotes the ARN in its error as STS would: the path's bytes reach the JSON.
  RoleArnAssumer roles{[](const std::string& role_arn, const Credentials&) -> Result<Credentials> {
                         return make_error("AccessDenied: not authorized to assume " + role_arn);
                       },
                       Seconds(300), clock};
  ImdsEndpoint imds{credentials, "fuzz", "eu-west-1", false, clock};
  const std::string ecs_token = std::string(64, 'e');
  std::string imds_token;

  World() {
    KURA_FUZZ_CHECK(credentials.prime().ok());
    HttpServerRequest put;
    put.method = "PUT";
    put.path = "/latest/api/token";
    put.headers = {{"host", "127.0.0.1:8080"}, {"x-aws-ec2-metadata-token-ttl-seconds", "60"}};
    HttpServerResponse issued = imds.handle(put, k_port);
    KURA_FUZZ_CHECK(issued.status == 200 && issued.body.size() == 64);
    imds_token = issued.body;
  }
};

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

bool no_line_breaks(std::string_view text) {
  return text.find('\r') == std::string_view::npos && text.find('\n') == std::string_view::npos;
}

void check_response(const HttpServerResponse& response) {
  KURA_FUZZ_CHECK(response.status >= 200 && response.status <= 599);
  KURA_FUZZ_CHECK(no_line_breaks(response.content_type));
  for (const auto& [name, value] : response.headers)
    KURA_FUZZ_CHECK(no_line_breaks(name) && no_line_breaks(value));
}

std::string header(const HttpServerRequest& request, const char* name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? std::string() : it->second;
}

void check_request(const HttpServerRequest& request, const HttpServerOptions& options) {
  KURA_FUZZ_CHECK(!request.method.empty() && !request.path.empty());
  KURA_FUZZ_CHECK(request.method.find_first_of(" \t\r\n") == std::string::npos);
  for (char c : request.path) KURA_FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
  KURA_FUZZ_CHECK(request.minor_version == 0 || request.minor_version == 1);
  KURA_FUZZ_CHECK(request.headers.size() <= options.max_headers);
  KURA_FUZZ_CHECK(!request.headers.count("transfer-encoding"));
  auto length = request.headers.find("content-length");
  KURA_FUZZ_CHECK(length == request.headers.end() ||
                  length->second.find_first_not_of('0') == std::string::npos);
  for (const auto& [name, value] : request.headers) {
    KURA_FUZZ_CHECK(!name.empty());
    for (char c : name) KURA_FUZZ_CHECK(!(c >= 'A' && c <= 'Z') && static_cast<unsigned char>(c) > 0x20);
    for (char c : value) KURA_FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  std::string input(reinterpret_cast<const char*>(data), size);
  replace_all(input, "@ECS@", world.ecs_token);
  replace_all(input, "@IMDS@", world.imds_token);

  const bool secret_in_input = input.find("fuzz-secret") != std::string::npos;
  HttpServerOptions options;
  options.max_headers = 8;  // small, so the limit is within the fuzzer's reach
  options.max_request_bytes = 1024;
  std::string_view rest = input;
  while (!rest.empty()) {
    const size_t skipped = skip_empty_lines(rest);
    KURA_FUZZ_CHECK(skipped <= rest.size());
    auto end = find_head_end(rest, skipped);
    if (!end) break;
    KURA_FUZZ_CHECK(end->head >= skipped && end->head < end->consumed && end->consumed <= rest.size());
    KURA_FUZZ_CHECK(end->consumed - end->head == 2 || end->consumed - end->head == 3);
    HttpServerRequest request;
    const HeadStatus status = parse_request_head(rest.substr(skipped, end->head - skipped), options, request);
    const int code = http_status_of(status);
    KURA_FUZZ_CHECK(code == 200 || code == 400 || code == 413 || code == 501 || code == 505);
    rest.remove_prefix(end->consumed);
    if (status != HeadStatus::ok) break;  // the server closes: what follows is never parsed
    check_request(request, options);

    const std::string host = header(request, "host");
    const bool loopback_host = host_is_loopback(host, k_port);

    HttpServerResponse ecs = handle_ecs(request, world.ecs_token, k_port, world.credentials, &world.roles);
    check_response(ecs);
    if (ecs.status == 200) {
      KURA_FUZZ_CHECK(loopback_host && request.method == "GET");
      KURA_FUZZ_CHECK(header(request, "authorization") == world.ecs_token);
    }
    // Only a 200 carries the secret (an error may quote the request, so not when the input holds it).
    if (!secret_in_input && ecs.body.find("fuzz-secret") != std::string::npos)
      KURA_FUZZ_CHECK(ecs.status == 200);

    HttpServerResponse imds = world.imds.handle(request, k_port);
    check_response(imds);
    if (imds.status == 200) {
      KURA_FUZZ_CHECK(loopback_host);
      if (request.method == "PUT") {
        KURA_FUZZ_CHECK(request.path == "/latest/api/token" && imds.body.size() == 64);
      } else {
        // Tokens cannot be forged: the only valid one the input can hold is the one substituted in.
        KURA_FUZZ_CHECK(header(request, "x-aws-ec2-metadata-token") == world.imds_token);
      }
    }
    if (!secret_in_input && imds.body.find("fuzz-secret") != std::string::npos)
      KURA_FUZZ_CHECK(imds.status == 200);
  }
  return 0;
}
