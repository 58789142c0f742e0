#include "lib/data/line_images.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace fgbdl {

std::string to_string(LineRasterizer r) { return r == LineRasterizer::kPaper ? "paper" : "script"; }

std::string to_string(TupleLabelRule r) {
  return r == TupleLabelRule::kProduct ? "product" : "script";
}

LineSegment draw_line_segment(Engine& rng) {
  LineSegment s;
  s.theta = uniform(rng, 0.0, M_PI);
  s.c_row = uniform(rng, 0.0, kLineImageSize);
  s.c_col = uniform(rng, 0.0, kLineImageSize);
  s.length = uniform(rng, 5.0, kLineImageSize - 5.0);
  return s;
}

float line_label(const LineSegment& segment) { return segment.theta < M_PI / 2 ? 1.0f : -1.0f; }

std::vector<std::pair<int, int>> line_pixels(const LineSegment& segment,
                                             LineRasterizer rasterizer) {
  std::vector<std::pair<int, int>> pixels;
  line_pixels(segment, rasterizer, pixels);
  return pixels;
}

void line_pixels(const LineSegment& segment, LineRasterizer rasterizer,
                 std::vector<std::pair<int, int>>& pixels) {
  pixels.clear();
  const double u_row = std::cos(segment.theta), u_col = std::sin(segment.theta);
  const bool paper = rasterizer == LineRasterizer::kPaper;
  const long half = static_cast<long>(std::floor(segment.length / 2));
  const long t_end = paper ? half : half - 1;  // inclusive
  std::array<bool, kLineImageSize * kLineImageSize> lit{};
  for (long t = 0; t <= t_end; ++t) {
    for (const double s : {-1.0, 1.0}) {
      const double row = segment.c_row + s * u_row * static_cast<double>(t);
      const double col = segment.c_col + s * u_col * static_cast<double>(t);
      const double r = paper ? std::round(row) : std::trunc(row);
      const double c = paper ? std::round(col) : std::trunc(col);
      if (r < 0 || r >= kLineImageSize || c < 0 || c >= kLineImageSize) continue;
      const int ri = static_cast<int>(r), ci = static_cast<int>(c);
      if (lit[ri * kLineImageSize + ci]) continue;
      lit[ri * kLineImageSize + ci] = true;
      pixels.emplace_back(ri, ci);
    }
  }
}

float tuple_label(const float* image_labels, int k, TupleLabelRule rule) {
  int negatives = 0;
  for (int j = 0; j < k; ++j) negatives += image_labels[j] < 0;
  if (rule == TupleLabelRule::kProduct) return negatives % 2 == 0 ? 1.0f : -1.0f;
  const int positives = k - negatives;
  return positives % 2 == 1 ? 1.0f : -1.0f;
}

template <class T>
void sample_line_tuples(std::size_t tuples, const LineTupleSpec& spec, Engine& rng,
                        LineTupleBatch<T>& batch) {
  if (spec.k < 1)
    throw std::invalid_argument("sample_line_tuples: k = " + std::to_string(spec.k) + ", expected >= 1");
  const std::size_t k = static_cast<std::size_t>(spec.k), n = tuples * k;
  const std::size_t side = kLineImageSize, pixels = side * side;
  const std::array<std::size_t, 4> image_shape{n, side, side, 1};
  if (!(batch.images.shape() == image_shape)) batch.images.resize(image_shape);
  if (!(batch.image_labels.shape() == std::array<std::size_t, 2>{n, 1})) batch.image_labels.resize({n, 1});
  if (!(batch.tuple_labels.shape() == std::array<std::size_t, 2>{tuples, 1}))
    batch.tuple_labels.resize({tuples, 1});
  std::fill(batch.images.begin(), batch.images.end(), T(0));
  std::vector<float> labels(k);
  std::vector<std::pair<int, int>> pixel_list;
  for (std::size_t b = 0; b < tuples; ++b) {
    for (std::size_t j = 0; j < k; ++j) {
      const LineSegment segment = draw_line_segment(rng);
      T* image = batch.images.data() + (b * k + j) * pixels;
      line_pixels(segment, spec.rasterizer, pixel_list);
      for (const auto& [r, c] : pixel_list)
        image[static_cast<std::size_t>(r) * side + static_cast<std::size_t>(c)] = T(1);
      labels[j] = line_label(segment);
      batch.image_labels(b * k + j, 0) = static_cast<T>(labels[j]);
    }
    batch.tuple_labels(b, 0) = static_cast<T>(tuple_label(labels.data(), spec.k, spec.label_rule));
  }
}

template void sample_line_tuples<float>(std::size_t, const LineTupleSpec&, Engine&,
                                        LineTupleBatch<float>&);
template void sample_line_tuples<double>(std::size_t, const LineTupleSpec&, Engine&,
                                         LineTupleBatch<double>&);

}  // namespace fgbdl
