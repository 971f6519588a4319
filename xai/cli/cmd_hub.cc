// `xai hub resolve|ls|rm|gc`: model handles and the tensorflow_hub cache.
#include <cstdio>
#include <iostream>

#include "nlohmann/json.hpp"
#include "xai/cli/commands.h"
#include "xai/hub/cache_admin.h"
#include "xai/hub/fs.h"
#include "xai/hub/layout.h"
#include "xai/hub/resolver.h"

namespace xai {
namespace {

struct HubFlags {
  hub::HubOptions options = hub::HubOptions::FromEnvironment();
  std::string handle;
  std::vector<std::string> handles;
  std::string max_size;
  std::string format = "text";
  bool dry_run = false;
  bool no_progress = false;
};

// "123", "10K", "500M", "2G", "1T" (binary multiples) -> bytes.
StatusOr<uint64_t> ParseSize(const std::string& text) {
  size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (...) {
    used = 0;
  }
  std::string unit = text.substr(used);
  static const std::string kUnits = "KMGT";
  size_t shift = unit.empty() ? 0 : kUnits.find(static_cast<char>(std::toupper(unit[0])));
  if (used == 0 || unit.size() > 1 || shift == std::string::npos) {
    return absl::InvalidArgumentError("--max_size expects bytes with an optional K, M, G or T suffix, got '" +
                                      text + "'");
  }
  return static_cast<uint64_t>(value) << (unit.empty() ? 0 : 10 * (shift + 1));
}

void AddCacheDirFlag(CLI::App* cmd, HubFlags& f) {
  cmd->add_option("--cache_dir", f.options.cache_dir,
                  "cache root (default: $TFHUB_CACHE_DIR, else <tmp>/tfhub_modules, as tensorflow_hub)");
}

int RunResolve(HubFlags& f) {
  if (!f.max_size.empty()) {
    StatusOr<uint64_t> bytes = ParseSize(f.max_size);
    if (!bytes.ok()) return Fail(bytes.status());
    f.options.max_bytes = *bytes;
  }
  if (f.no_progress) f.options.progress = false;
  StatusOr<std::string> dir = hub::ResolveHandle(f.handle, f.options);
  if (!dir.ok()) return Fail(dir.status());
  if (!hub::PathExists(*dir)) return Fail(absl::NotFoundError("'" + f.handle + "' does not exist"));
  std::cout << *dir << "\n";
  return 0;
}

std::string State(const hub::CachedModel& m) {
  if (!m.lock_owner.empty()) return "downloading";
  return m.complete ? "cached" : "empty";
}

int RunList(const HubFlags& f) {
  std::string root = hub::CacheRoot(f.options.cache_dir);
  StatusOr<std::vector<hub::CachedModel>> models = hub::ListCache(root);
  if (!models.ok()) return Fail(models.status());
  if (f.format == "json") {
    nlohmann::ordered_json out = {{"cache_dir", root}, {"models", nlohmann::ordered_json::array()}};
    for (const hub::CachedModel& m : *models) {
      out["models"].push_back({{"entry", m.name}, {"dir", m.dir}, {"handle", m.handle}, {"state", State(m)},
                               {"bytes", m.bytes}, {"download_time", m.download_time}, {"sha256", m.sha256},
                               {"lock_owner", m.lock_owner}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const hub::CachedModel& m : *models) {
    std::cout << m.name << "  " << hub::ReadableSize(m.bytes) << "  " << State(m) << "  "
              << (m.handle.empty() ? "(no descriptor)" : m.handle) << "\n";
  }
  return 0;
}

int RunRemove(const HubFlags& f) {
  std::string root = hub::CacheRoot(f.options.cache_dir);
  for (const std::string& handle : f.handles) {
    StatusOr<std::string> removed = hub::RemoveCached(root, handle);
    if (!removed.ok()) return Fail(removed.status());
    std::cout << "removed " << *removed << "\n";
  }
  return 0;
}

int RunGc(const HubFlags& f) {
  std::string root = hub::CacheRoot(f.options.cache_dir);
  StatusOr<std::vector<hub::Garbage>> garbage = hub::CollectGarbage(root, f.dry_run);
  if (!garbage.ok()) return Fail(garbage.status());
  uint64_t total = 0;
  for (const hub::Garbage& g : *garbage) {
    std::cout << (f.dry_run ? "would remove " : "removed ") << g.path << "  (" << g.reason << ", "
              << hub::ReadableSize(g.bytes) << ")\n";
    total += g.bytes;
  }
  std::cerr << "xai: " << (f.dry_run ? "would free " : "freed ") << hub::ReadableSize(total) << " in "
            << garbage->size() << " item(s) under " << root << "\n";
  return 0;
}

}  // namespace

CommandRunner AddHubCommand(CLI::App& app) {
  auto f = std::make_shared<HubFlags>();
  CLI::App* hub = app.add_subcommand("hub", "Resolve model handles and manage the tensorflow_hub model cache");
  hub->require_subcommand(1);

  CLI::App* resolve = hub->add_subcommand("resolve", "Print the local directory of a handle, downloading it once");
  resolve->add_option("HANDLE", f->handle, "local path, file:// URL or http(s):// URL of a tar.gz")->required();
  AddCacheDirFlag(resolve, *f);
  resolve->add_option("--sha256", f->options.sha256, "expected SHA-256 (hex) of the downloaded archive");
  resolve->add_option("--max_size", f->max_size, "limit on archive and extracted size, e.g. 500M (default 64G)");
  resolve->add_option("--retries", f->options.max_attempts, "HTTP attempts per download")->capture_default_str();
  resolve->add_option("--retry_wait", f->options.initial_backoff_s, "first wait between attempts, seconds (doubles)")
      ->capture_default_str();
  resolve->add_option("--lock_timeout", f->options.lock_timeout_s,
                      "seconds without progress before another process's lock is taken over")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  resolve->add_flag("--no_progress", f->no_progress, "no progress bar even on a terminal");

  CLI::App* ls = hub->add_subcommand("ls", "List cached models");
  AddCacheDirFlag(ls, *f);
  ls->add_option("--format", f->format, "text or json")->check(CLI::IsMember({"text", "json"}));

  CLI::App* rm = hub->add_subcommand("rm", "Remove cached models by handle");
  rm->add_option("HANDLE", f->handles, "handle(s) as given when resolved")->required();
  AddCacheDirFlag(rm, *f);

  CLI::App* gc = hub->add_subcommand("gc", "Remove what interrupted downloads left in the cache");
  AddCacheDirFlag(gc, *f);
  gc->add_flag("--dry_run", f->dry_run, "only print what would be removed");

  return [f, resolve, ls, rm]() {
    if (resolve->parsed()) return RunResolve(*f);
    if (ls->parsed()) return RunList(*f);
    if (rm->parsed()) return RunRemove(*f);
    return RunGc(*f);
  };
}

}  // namespace xai
