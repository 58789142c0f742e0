// Line images and their tuples: the data of the paper's Section 3
// experiment "decomposition versus end-to-end" (paper/sec3_decomposition.md E3.1, Figures 2
// and 3; also E3.1-SNR, Figure 5).
//
// One image is 28 x 28, all 0 except a straight segment of 1s. Drawn, in
// this order (the order of the authors' read_rect_data.py):
//   theta ~ U[0, pi), centre c = (c_row, c_col) ~ U[0, 28)^2, length l ~ U[5, 23].
// With the direction u = (cos theta, sin theta), the first coordinate being
// the row (as the script indexes X[k, pt[0], pt[1]]), the lit pixels are
//   paper (default):  round(c + s t u) for t = 0 .. floor(l/2), s = -1, +1
//                     (std::round, half away from zero; ties have
//                     probability 0),
//   script:           trunc(c + s t u) for t = 0 .. floor(l/2) - 1
//                     (numpy's astype(int32): truncation toward zero, so
//                     coordinates in (-1, 0) land on 0; the script's
//                     range(int(length // 2))),
// dropping pixels outside [0, 28)^2. The image label is y = +1 if
// theta < pi/2 (u points down-right or straight down: the segment runs
// from top-left to bottom-right in an image shown row 0 on top), else -1;
// it depends only on the orientation of the segment.
//
// A tuple is k i.i.d. images. Its label:
//   product (default, the paper's):  prod_j y_j;
//   script:  +1 iff the number of images with theta < pi/2 is odd, which is
//            prod_j y_j for odd k and -prod_j y_j for even k (the same
//            problem with the classes swapped; paper/sec3_decomposition.md, differences).
// Both are balanced: P(label = +1) = 1/2 exactly for every k.
//
// The paper's script generates a fixed pool of 500 000 tuples and cycles
// through it; here every training batch is fresh (an infinite stream), and
// held-out tuples come from their own engine.
#ifndef LIB_DATA_LINE_IMAGES_H_
#define LIB_DATA_LINE_IMAGES_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "lib/core/rng.h"

namespace fgbdl {

inline constexpr int kLineImageSize = 28;

// The random parameters of one image.
struct LineSegment {
  double theta = 0;   // [0, pi)
  double c_row = 0;   // [0, 28)
  double c_col = 0;   // [0, 28)
  double length = 0;  // [5, 23]
};

enum class LineRasterizer { kPaper, kScript };
enum class TupleLabelRule { kProduct, kScriptOddCount };

// "paper" / "script" (the flag values of the E3.1 binary).
std::string to_string(LineRasterizer r);
std::string to_string(TupleLabelRule r);

// Draws theta, c_row, c_col, length in this order from `rng`.
LineSegment draw_line_segment(Engine& rng);

// +1 if theta < pi/2, else -1.
float line_label(const LineSegment& segment);

// The lit pixels (row, col) inside the image, in drawing order (t = 0, 1,
// ...; s = -1 before +1), each listed once.
std::vector<std::pair<int, int>> line_pixels(const LineSegment& segment, LineRasterizer rasterizer);
// The same into `pixels` (cleared first; its capacity is reused).
void line_pixels(const LineSegment& segment, LineRasterizer rasterizer,
                 std::vector<std::pair<int, int>>& pixels);

// The label of a tuple of k images with labels y[0..k-1] in {-1, +1}.
float tuple_label(const float* image_labels, int k, TupleLabelRule rule);

// A batch of B tuples of k images each. Image j of tuple b is row b*k + j:
// running N1 on `images` as one batch of B*k images and reshaping its
// [B*k, 1] scores to [B, k] gives each tuple's k scores.
template <class T>
struct LineTupleBatch {
  xt::xtensor<T, 4> images;        // [B*k, 28, 28, 1], entries 0 or 1
  xt::xtensor<T, 2> image_labels;  // [B*k, 1], +-1
  xt::xtensor<T, 2> tuple_labels;  // [B, 1], +-1
};

struct LineTupleSpec {
  int k = 1;  // images per tuple, >= 1
  LineRasterizer rasterizer = LineRasterizer::kPaper;
  TupleLabelRule label_rule = TupleLabelRule::kProduct;
};

// Fills `batch` with `tuples` fresh tuples (tuple by tuple, image by image,
// each image drawn by draw_line_segment). Buffers are resized only when
// their shapes differ. Throws std::invalid_argument if spec.k < 1.
// Instantiated for float and double.
template <class T>
void sample_line_tuples(std::size_t tuples, const LineTupleSpec& spec, Engine& rng,
                        LineTupleBatch<T>& batch);

}  // namespace fgbdl

#endif  // LIB_DATA_LINE_IMAGES_H_
