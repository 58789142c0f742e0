// The one training loop of the package: draw a batch, ask the gradient
// source for the step's gradient, let the optimizer update the parameters;
// evaluate on a schedule; record a divergence with its step; report
// progress; checkpoint atomically and resume to byte-identical results.
//
// Every experiment that trains (E2.1, T2, E3.1, E3.2, E4.1, E5 and the
// extensions) runs through train(): what differs between them is the model,
// the batches, the optimizer and what an evaluation records.
//
// Rules, the same for every run:
//   - evaluation at each step of the schedule (step 0 is the untrained
//     model), after that step's update;
//   - StepLoss::mean_loss is the mean of the training losses of the steps
//     since the previous evaluation;
//   - a step whose loss is not finite ends the run: it is evaluated (one last
//     row) with diverged set, and status.diverged_step is that step; an
//     evaluation that reports a non-finite value (evaluate returns false)
//     ends the run the same way;
//   - with a `done` test, the run ends after the first evaluation it accepts;
//   - with a checkpoint path, the state (parameters, optimizer, random
//     streams, recorded rows, the loss accumulators) is written atomically
//     every `checkpoint_every` steps and whenever `checkpoint_seconds` have
//     passed since the last one; an existing checkpoint of the same identity
//     is resumed, one of another identity is refused with a UsageError
//     naming the first differing setting. Where and how often a run was
//     interrupted never changes its results.
#ifndef LIB_TRAIN_LOOP_H_
#define LIB_TRAIN_LOOP_H_

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/io/results.h"
#include "lib/train/checkpoint.h"
#include "lib/train/model.h"
#include "lib/train/optimizer.h"

namespace fgbdl {

// What an evaluation is told about the training losses.
struct StepLoss {
  std::int64_t step = 0;  // steps taken; 0 before training
  double loss = NAN;      // this step's training loss (NaN at step 0)
  double mean_loss = NAN; // mean training loss since the previous evaluation
                          // (NaN at step 0; the non-finite loss itself when diverged)
  bool diverged = false;  // this step's loss is not finite: the run's last evaluation
};

// When to evaluate: step 0 unless skip_zero, every `every` steps (0: never
// on a period), at the last step, and at every step listed in `at`.
struct EvalSchedule {
  std::int64_t every = 0;
  std::vector<std::int64_t> at;
  bool skip_zero = false;
  bool due(std::int64_t t, std::int64_t steps) const;
};

// One training run as the loop sees it.
template <class Batch>
struct TrainingRun {
  Model<Batch>* model = nullptr;
  GradientSource<Batch>* gradient = nullptr;
  Optimizer* optimizer = nullptr;
  std::function<void(Batch&)> draw;              // fills the next training batch
  std::function<bool(const StepLoss&)> evaluate; // records an evaluation; false: non-finite
  std::vector<Table*> tables;                    // every table evaluate adds rows to
  std::vector<Engine*> engines;                  // every random stream draw uses
};

struct LoopSettings {
  std::int64_t steps = 0;
  EvalSchedule schedule;
  std::string checkpoint_path;       // "": no checkpoints
  std::string identity;              // the run's settings: "key=value" pairs separated by spaces
  std::int64_t checkpoint_every = 0; // steps; 0: not on a step period
  double checkpoint_seconds = 0;     // wall seconds; 0: not on a timer
  std::int64_t stop_after = 0;       // tests: return after this step as if killed; 0: never
  // After each evaluation but step 0's, with its step: true ends the run
  // there, completed (a run that reached its goal, e.g. X6's parity learned
  // exactly on its validation batch); unset: never.
  std::function<bool(std::int64_t)> done;
  std::function<void(std::int64_t)> on_progress;  // after each evaluation, with the step
  std::function<void(std::int64_t)> on_resume;    // with the step of a loaded checkpoint
};

// Where an experiment binary keeps the checkpoint of one run: `path`
// (<run dir>/checkpoint.bin), written at the first step after `seconds` of
// wall time have passed since the last one (0: no timer), and the run's identity (its id and settings, as in its manifest). An empty
// path: no checkpoints.
struct RunCheckpoint {
  std::string path;
  std::string identity;
  double seconds = 30;
};

// The settings of most runs: `steps` steps, evaluated at step 0, every
// `eval_every` steps (0: only at the ends) and at the last step, with
// progress and a checkpoint.
LoopSettings periodic_loop(std::int64_t steps, std::int64_t eval_every,
                           std::function<void(std::int64_t)> on_progress,
                           const RunCheckpoint& checkpoint);

// The checkpoint of run `id` under `root`; `settings` are the run's
// manifest settings (JSON-encoded values by key).
RunCheckpoint run_checkpoint(const std::string& root, const RunId& id,
                             const std::map<std::string, std::string>& settings);
// Deletes the checkpoint once the run's results are written.
void remove_checkpoint(const RunCheckpoint& c);

struct LoopResult {
  RunStatus status;
  std::int64_t resumed_from = 0;  // the checkpoint's step; 0 for a fresh start
  bool completed = false;         // false only when stopped by stop_after
  double step_seconds = 0;        // wall time in draw + gradient + update (this process)
};

namespace train_detail {

// The loop's own state in a checkpoint.
struct LoopState {
  std::int64_t step = 0;
  double loss_sum = 0;
  std::int64_t loss_count = 0;
};

// Writes / reads a whole checkpoint: identity, loop state, tables, engines,
// parameters, optimizer. read_checkpoint returns false when there is none.
void write_checkpoint(const LoopSettings& s, const LoopState& state,
                      const std::vector<Table*>& tables, const std::vector<Engine*>& engines,
                      const std::vector<Parameter>& params, const Optimizer& optimizer);
bool read_checkpoint(const LoopSettings& s, LoopState& state, const std::vector<Table*>& tables,
                     const std::vector<Engine*>& engines, const std::vector<Parameter>& params,
                     Optimizer& optimizer);

}  // namespace train_detail

// One step of the loop: the next batch, its gradient, the update (applied
// even to a non-finite gradient: the last row of a diverged run shows the
// model the step left behind). `params` are the model's parameters as the
// optimizer takes them (param_refs(model.parameters())). Returns the step's
// loss. The loop's own step, and the benchmarks' unit of time.
template <class Batch>
double train_step(TrainingRun<Batch>& run, Batch& batch,
                  const std::vector<ParamRef<float>>& params) {
  run.draw(batch);
  const double loss = run.gradient->gradient(*run.model, batch);
  run.optimizer->step(params);
  return loss;
}

template <class Batch>
LoopResult train(TrainingRun<Batch>& run, const LoopSettings& s) {
  using Clock = std::chrono::steady_clock;
  LoopResult result;
  const std::vector<Parameter> params = run.model->parameters();
  const std::vector<ParamRef<float>> refs = param_refs(params);
  train_detail::LoopState state;
  const bool checkpoints = !s.checkpoint_path.empty();
  if (checkpoints && train_detail::read_checkpoint(s, state, run.tables, run.engines, params,
                                                   *run.optimizer)) {
    result.resumed_from = state.step;
    if (s.on_resume) s.on_resume(state.step);
  } else if (s.schedule.due(0, s.steps) && !run.evaluate(StepLoss{})) {
    result.status.diverged = true;
    result.status.diverged_step = 0;
    result.completed = true;
    return result;
  }
  Batch batch;
  auto last_checkpoint = Clock::now();
  for (std::int64_t t = state.step + 1; t <= s.steps; ++t) {
    const auto start = Clock::now();
    const double loss = train_step(run, batch, refs);
    result.step_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    if (!std::isfinite(loss)) {
      run.evaluate(StepLoss{t, loss, loss, true});
      result.status.diverged = true;
      result.status.diverged_step = t;
      result.completed = true;
      return result;
    }
    state.loss_sum += loss;
    ++state.loss_count;
    if (s.schedule.due(t, s.steps)) {
      const double mean = state.loss_sum / static_cast<double>(state.loss_count);
      state.loss_sum = 0;
      state.loss_count = 0;
      if (!run.evaluate(StepLoss{t, loss, mean, false})) {
        result.status.diverged = true;
        result.status.diverged_step = t;
        result.completed = true;
        return result;
      }
      if (s.on_progress) s.on_progress(t);
      if (s.done && s.done(t)) {
        result.completed = true;
        return result;
      }
    }
    state.step = t;
    if (checkpoints && t < s.steps &&
        ((s.checkpoint_every > 0 && t % s.checkpoint_every == 0) ||
         (s.checkpoint_seconds > 0 &&
          std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >=
              s.checkpoint_seconds))) {
      train_detail::write_checkpoint(s, state, run.tables, run.engines, params, *run.optimizer);
      last_checkpoint = Clock::now();
    }
    if (s.stop_after > 0 && t == s.stop_after && t < s.steps) return result;
  }
  result.completed = true;
  return result;
}

}  // namespace fgbdl

#endif  // LIB_TRAIN_LOOP_H_
