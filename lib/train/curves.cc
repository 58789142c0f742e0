#include "lib/train/curves.h"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "lib/train/loop.h"

namespace fgbdl {

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, double lr) {
  if (name == "sgd") return std::make_unique<SgdOptimizer>(lr);
  if (name == "adam") return std::make_unique<AdamOptimizer>(lr, 0.9, 0.999, 1e-8);
  throw std::invalid_argument("unknown optimizer " + name);
}

Curve train_curve(Model<XYBatch>& model, const std::string& optimizer, double lr,
                  std::function<void(XYBatch&)> draw, Engine& batches, std::int64_t steps,
                  std::int64_t every, const std::function<std::vector<double>()>& metrics,
                  const std::function<void(std::int64_t)>& on_step, std::size_t checked) {
  Backprop<XYBatch> backprop;
  std::unique_ptr<Optimizer> opt = make_optimizer(optimizer, lr);
  return train_source_curve<XYBatch>(model, backprop, *opt, std::move(draw), batches, steps, every,
                                     metrics, on_step, checked);
}

double mean_squared_error(const Matrix& score, const Matrix& y) {
  double sum = 0;
  for (std::size_t i = 0; i < y.shape(0); ++i) {
    for (std::size_t c = 0; c < y.shape(1); ++c) {
      const double e = double(score(i, c)) - y(i, c);
      sum += e * e;
    }
  }
  return sum / static_cast<double>(y.size());
}

double sign_accuracy(const Matrix& score, const Matrix& y) {
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < y.shape(0); ++i) correct += y(i, 0) * score(i, 0) > 0;
  return static_cast<double>(correct) / static_cast<double>(y.shape(0));
}

double target_variance(const Matrix& y) {
  double sq = 0;
  for (std::size_t c = 0; c < y.shape(1); ++c) {
    double mean = 0;
    for (std::size_t i = 0; i < y.shape(0); ++i) mean += y(i, c);
    mean /= static_cast<double>(y.shape(0));
    for (std::size_t i = 0; i < y.shape(0); ++i) sq += (y(i, c) - mean) * (y(i, c) - mean);
  }
  return sq / static_cast<double>(y.size());
}

Table merge_curves(const std::vector<std::string>& columns, const std::vector<Curve>& curves,
                   const std::vector<double>& constants, RunStatus& status) {
  status = RunStatus{};
  for (const Curve& c : curves) {
    if (c.status.diverged && (!status.diverged || c.status.diverged_step < status.diverged_step))
      status = c.status;
  }
  Table t(columns);
  const std::size_t rows = curves.front().steps.size();
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int64_t step = curves.front().steps[r];
    if (status.diverged && step >= status.diverged_step) break;
    std::vector<double> row{static_cast<double>(step)};
    for (const Curve& c : curves) row.insert(row.end(), c.values[r].begin(), c.values[r].end());
    row.insert(row.end(), constants.begin(), constants.end());
    t.add_row(row);
  }
  if (status.diverged) {
    std::vector<double> row{static_cast<double>(status.diverged_step)};
    for (const Curve& c : curves) {
      const bool there = !c.steps.empty() && c.steps.back() == status.diverged_step;
      const std::size_t width = c.values.empty() ? 0 : c.values.front().size();
      if (there)
        row.insert(row.end(), c.values.back().begin(), c.values.back().end());
      else
        row.insert(row.end(), width, NAN);
    }
    row.insert(row.end(), constants.begin(), constants.end());
    t.add_row(row);
  }
  return t;
}

}  // namespace fgbdl
