#!/usr/bin/env bash
# Installs everything the package needs from Debian 12's archive (the only
# network it uses). Idempotent: installs only what is missing.
#   tools/bootstrap.sh            # as root, or through sudo
set -euo pipefail

packages=(
  bazel-bootstrap        # Bazel 4.2.3
  bazel-rules-java       # @rules_java for Bazel 4.2.3 (offline)
  g++
  git
  libabsl-dev
  libxtensor-dev
  libxtensor-blas-dev
  libxsimd-dev
  libopenblas-dev
  librapidcheck-dev
  libgtest-dev
  libbenchmark-dev
  libmd4c-dev            # Markdown parser of the report (paper/*.md)
  nlohmann-json3-dev     # JSON reading and writing (report, reliability suite)
  libpugixml-dev         # GoogleTest XML reader of the report
  libfftw3-dev           # FFT of the E3.1-SNR integration
  dataset-fashion-mnist  # X2's standard data set (/usr/share/datasets/fashion-mnist)
  gnuplot-nox            # figures (SVG)
  graphviz               # diagrams (SVG)
  libjs-katex            # math in the HTML report, no network
  chromium               # headless browser for //reports:browser_test
  python3-torch          # PyTorch, for the twin (twin/) and //bench:paper only; run by /usr/bin/python3
  slurm-wlm              # Slurm (slurmctld, slurmd, sbatch): tools/cluster/slurm_check.sh
  munge                  # Slurm's authentication daemon
  nginx                  # HTTP cache server (WebDAV PUT): tools/cluster/remote_cache_check.sh
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "bootstrap: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
