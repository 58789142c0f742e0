// The three flags of E3.1's binaries (e3_1_tuples, e3_1_snr) that choose
// between the paper and the authors' script where they differ (paper/sec3_decomposition.md,
// rows E3.1 rasterizer, E3.1 tuple label, E3.1 network):
//   --rasterizer=paper|script   --tuple_label=product|script
//   --conv_init=fan_in|script
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FLAGS_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FLAGS_H_

#include "experiments/sec3_decomposition/tuple_network.h"
#include "lib/core/flags.h"
#include "lib/data/line_images.h"

namespace fgbdl {

struct TupleVersionFlags {
  LineRasterizer rasterizer = LineRasterizer::kPaper;
  TupleLabelRule label_rule = TupleLabelRule::kProduct;
  ConvInitRule conv_init = ConvInitRule::kFanIn;
};

// Reads the three flags (the paper's versions by default).
TupleVersionFlags get_tuple_version_flags(Flags& flags);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FLAGS_H_
