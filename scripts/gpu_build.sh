#!/usr/bin/env bash
# Builds pitchtrack on a CUDA machine that has PyTorch (libtorch with its CMake config), CMake,
# a C++20 compiler, Eigen, yaml-cpp, spdlog, nlohmann-json, CLI11 and GoogleTest, but no OpenCV,
# no FFmpeg and no package manager: it unpacks the archive made here by
# scripts/pack_gpu_deps.sh and configures against it (README "GPU build").
#
#   scripts/gpu_build.sh [PACK] [BUILD_DIR]
#     PACK       default .gpupack/pitchtrack-gpu-deps.tar.xz
#     BUILD_DIR  default build-gpu
#   PITCHTRACK_DEPS_PREFIX  where the pack is unpacked (default /opt/pitchtrack-deps)
#   TORCH_DIR               libtorch's CMake folder (default: from `python3 -c "import torch"`)
#
# Afterwards run binaries with: source BUILD_DIR/gpu_env.sh (sets LD_LIBRARY_PATH).
set -euo pipefail
pack=${1:-.gpupack/pitchtrack-gpu-deps.tar.xz}
build=${2:-build-gpu}
prefix=${PITCHTRACK_DEPS_PREFIX:-/opt/pitchtrack-deps}
[[ -r $pack ]] || { echo "gpu_build: pack '$pack' not found (make it with scripts/pack_gpu_deps.sh)" >&2; exit 1; }
mkdir -p "$prefix"
tar -C "$prefix" -xJf "$pack"
lib=$prefix/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PKG_CONFIG_LIBDIR=$lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$prefix
if [[ -z ${TORCH_DIR:-} ]]; then
  TORCH_DIR=$(python3 -c 'import os, torch; print(os.path.join(torch.utils.cmake_prefix_path, "Torch"))')
fi
cuda=()
if [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export PATH=/usr/local/cuda/bin:$PATH
  cuda=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc -DCUDAToolkit_ROOT=/usr/local/cuda)
fi
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S . -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DOpenCV_DIR="$lib/cmake/opencv4" -DTorch_DIR="$TORCH_DIR" -DPITCHTRACK_WITH_TORCH=ON \
  -DCMAKE_BUILD_RPATH="$lib" -DCMAKE_CUDA_ARCHITECTURES=90 "${cuda[@]}"
cmake --build "$build" -j"$(nproc)"
echo "export LD_LIBRARY_PATH=$lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" > "$build/gpu_env.sh"
echo "gpu_build: built in $build (source $build/gpu_env.sh before running its binaries)"
