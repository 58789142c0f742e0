#include "experiments/sec3_decomposition/tuple_flags.h"

namespace fgbdl {

TupleVersionFlags get_tuple_version_flags(Flags& flags) {
  TupleVersionFlags v;
  v.rasterizer = flags.get_choice("rasterizer", "paper", {"paper", "script"},
                                  "paper: pixels rounded, t = 0..floor(l/2); script: "
                                  "truncated, t = 0..floor(l/2)-1") == "paper"
                     ? LineRasterizer::kPaper
                     : LineRasterizer::kScript;
  v.label_rule = flags.get_choice("tuple_label", "product", {"product", "script"},
                                  "product: prod_j y_j; script: +1 iff the count of "
                                  "theta < pi/2 is odd") == "product"
                     ? TupleLabelRule::kProduct
                     : TupleLabelRule::kScriptOddCount;
  v.conv_init = flags.get_choice("conv_init", "fan_in", {"fan_in", "script"},
                                 "convolution init std: fan_in 1/sqrt(5*5*Cin); script "
                                 "1/sqrt(28) and 1/sqrt(16)") == "fan_in"
                    ? ConvInitRule::kFanIn
                    : ConvInitRule::kScript;
  return v;
}

}  // namespace fgbdl
