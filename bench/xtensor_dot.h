// C = xt::linalg::dot(A, B) (xtensor-blas), in its own translation unit:
// xtensor-blas declares the CBLAS functions itself, in a way that clashes
// with OpenBLAS's <cblas.h>, which paper_bench.cc includes for the raw call.
#ifndef BENCH_XTENSOR_DOT_H_
#define BENCH_XTENSOR_DOT_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

void xtensor_dot(const xt::xtensor<float, 2>& A, const xt::xtensor<float, 2>& B,
                 xt::xtensor<float, 2>& C);

}  // namespace fgbdl

#endif  // BENCH_XTENSOR_DOT_H_
