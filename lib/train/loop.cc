#include "lib/train/loop.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/core/error.h"

namespace fgbdl {

bool EvalSchedule::due(std::int64_t t, std::int64_t steps) const {
  if (t == 0) return !skip_zero;
  if (t == steps) return true;
  if (every > 0 && t % every == 0) return true;
  return std::find(at.begin(), at.end(), t) != at.end();
}

RunCheckpoint run_checkpoint(const std::string& root, const RunId& id,
                             const std::map<std::string, std::string>& settings) {
  RunCheckpoint c;
  c.path = run_dir(root, id) + "/checkpoint.bin";
  c.identity = absl::StrCat("claim=", id.claim, " config=", id.config, " seed=", id.seed,
                            " profile=", id.profile);
  for (const auto& [key, value] : settings) absl::StrAppend(&c.identity, " ", key, "=", value);
  return c;
}

LoopSettings periodic_loop(std::int64_t steps, std::int64_t eval_every,
                           std::function<void(std::int64_t)> on_progress,
                           const RunCheckpoint& checkpoint) {
  LoopSettings loop;
  loop.steps = steps;
  loop.schedule.every = eval_every;
  loop.on_progress = std::move(on_progress);
  loop.checkpoint_path = checkpoint.path;
  loop.identity = checkpoint.identity;
  loop.checkpoint_seconds = checkpoint.seconds;
  return loop;
}

void remove_checkpoint(const RunCheckpoint& c) {
  std::error_code ec;
  if (!c.path.empty()) std::filesystem::remove(c.path, ec);
}

namespace train_detail {
namespace {

constexpr char kMagic[] = "FGBDL training checkpoint 1\n";

// The first key whose value differs between two identity strings.
std::string first_difference(const std::string& a, const std::string& b) {
  std::vector<std::string> pa = absl::StrSplit(a, ' '), pb = absl::StrSplit(b, ' ');
  for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    const std::string x = i < pa.size() ? pa[i] : "(none)", y = i < pb.size() ? pb[i] : "(none)";
    if (x != y) return absl::StrCat("checkpoint has ", x, ", this run ", y);
  }
  return "identical";
}

}  // namespace

void write_checkpoint(const LoopSettings& s, const LoopState& state,
                      const std::vector<Table*>& tables, const std::vector<Engine*>& engines,
                      const std::vector<Parameter>& params, const Optimizer& optimizer) {
  CheckpointWriter w;
  w.put_raw(kMagic);
  w.put_bytes(s.identity);
  w.put<std::int64_t>(state.step);
  w.put<double>(state.loss_sum);
  w.put<std::int64_t>(state.loss_count);
  w.put<std::uint64_t>(tables.size());
  for (const Table* table : tables) {
    w.put<std::uint64_t>(table->rows().size());
    for (const std::vector<double>& row : table->rows()) w.put_array(row.data(), row.size());
  }
  w.put<std::uint64_t>(engines.size());
  for (const Engine* engine : engines) {
    std::ostringstream text;
    text << *engine;
    w.put_bytes(text.str());
  }
  w.put<std::uint64_t>(params.size());
  for (const Parameter& p : params) w.put_array(p.w, p.n);
  optimizer.save(w);
  write_file_atomically(s.checkpoint_path, w.take());
}

bool read_checkpoint(const LoopSettings& s, LoopState& state, const std::vector<Table*>& tables,
                     const std::vector<Engine*>& engines, const std::vector<Parameter>& params,
                     Optimizer& optimizer) {
  std::string bytes;
  if (!read_checkpoint_file(s.checkpoint_path, bytes)) return false;
  CheckpointReader r(bytes, s.checkpoint_path);
  r.expect_raw(kMagic);
  const std::string identity = r.get_bytes();
  if (identity != s.identity) {
    throw UsageError(absl::StrCat("checkpoint ", s.checkpoint_path, " belongs to another run (",
                                  first_difference(identity, s.identity),
                                  "); delete it or rerun with its settings"));
  }
  LoopState loaded;
  loaded.step = r.get<std::int64_t>();
  loaded.loss_sum = r.get<double>();
  loaded.loss_count = r.get<std::int64_t>();
  if (loaded.step < 1 || loaded.step >= s.steps) r.fail(absl::StrCat("step ", loaded.step));
  if (r.get<std::uint64_t>() != tables.size()) r.fail("another number of tables");
  // Read everything before touching the run: a bad checkpoint changes nothing.
  std::vector<Table> restored;
  for (const Table* table : tables) {
    const auto rows = r.get<std::uint64_t>();
    if (rows > static_cast<std::uint64_t>(loaded.step) * 1000 + 1000) r.fail("too many rows");
    restored.emplace_back(table->columns());
    std::vector<double> row(table->columns().size());
    for (std::uint64_t i = 0; i < rows; ++i) {
      r.get_array(row.data(), row.size());
      restored.back().add_row(row);
    }
  }
  if (r.get<std::uint64_t>() != engines.size()) r.fail("another number of random streams");
  std::vector<Engine> streams(engines.size());
  for (Engine& e : streams) {
    std::istringstream text(r.get_bytes());
    text >> e;
    if (text.fail()) r.fail("a bad random engine state");
  }
  if (r.get<std::uint64_t>() != params.size()) r.fail("another number of parameter groups");
  std::vector<std::vector<float>> weights;
  for (const Parameter& p : params) {
    weights.emplace_back(p.n);
    r.get_array(weights.back().data(), p.n);
  }
  optimizer.load(r);
  r.expect_end();
  state = loaded;
  for (std::size_t i = 0; i < tables.size(); ++i) *tables[i] = std::move(restored[i]);
  for (std::size_t i = 0; i < engines.size(); ++i) *engines[i] = streams[i];
  for (std::size_t i = 0; i < params.size(); ++i)
    std::copy(weights[i].begin(), weights[i].end(), params[i].w);
  return true;
}

}  // namespace train_detail
}  // namespace fgbdl
