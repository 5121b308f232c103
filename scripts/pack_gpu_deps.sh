#!/usr/bin/env bash
# Packs the Debian libraries and headers that pitchtrack's build needs and a CUDA machine with
# libtorch but no package manager lacks (OpenCV, FFmpeg and their dependencies), so they can be
# unpacked there and the project built against them (README "GPU build", scripts/gpu_build.sh).
#
#   scripts/pack_gpu_deps.sh [--have LIBLIST] [--out FILE]
#
# LIBLIST: the target's `ldconfig -p` output; libraries whose soname the target already has are
# left out (default: only glibc, libstdc++ and libgcc are assumed present). FILE defaults to
# .gpupack/pitchtrack-gpu-deps.tar.xz (ignored by git; carry it to the device machine).
# Contents, under usr/ of the archive: lib/x86_64-linux-gnu (the OpenCV modules pitchtrack links:
# core imgproc calib3d video dnn features2d flann; libavformat/avcodec/avutil/swscale/swresample;
# every shared library they load that the target lacks; unversioned .so links for the linker;
# FFmpeg's pkg-config files), include/opencv4 (those modules' headers), include/x86_64-linux-gnu
# (FFmpeg headers), and lib/x86_64-linux-gnu/cmake/opencv4 with a small OpenCVConfig.cmake that
# defines only the packed modules (Debian's own config lists all 50 modules and would fail on the
# missing ones). OpenCV imgcodecs is left out on purpose: through GDAL it pulls in ~140 MB of
# libraries; pitchtrack builds without it (PITCHTRACK_HAVE_IMGCODECS off: the image-folder
# commands `detect` and `eval-keypoints` and synth PNG previews are then unavailable).
set -euo pipefail
have=""
out=".gpupack/pitchtrack-gpu-deps.tar.xz"
while (($#)); do
  case "$1" in
    --have) have="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "pack_gpu_deps: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
arch=x86_64-linux-gnu
libdir=/usr/lib/$arch
modules=(core imgproc calib3d video dnn features2d flann)
ffmpeg=(avformat avcodec avutil swscale swresample)
for m in "${modules[@]}"; do
  [[ -e $libdir/libopencv_$m.so ]] || { echo "pack_gpu_deps: $libdir/libopencv_$m.so missing (apt-get install libopencv-dev)" >&2; exit 1; }
done
[[ -z $have || -r $have ]] || { echo "pack_gpu_deps: cannot read --have file '$have'" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dst=$stage/usr/lib/$arch
mkdir -p "$dst/pkgconfig" "$dst/cmake/opencv4" "$stage/usr/include/$arch"

roots=()
for m in "${modules[@]}"; do roots+=("$(readlink -f "$libdir/libopencv_$m.so")"); done
for m in "${ffmpeg[@]}"; do roots+=("$(readlink -f "$libdir/lib$m.so")"); done

# sonames the target has
declare -A present=()
if [[ -n $have ]]; then
  while read -r name _; do present[$name]=1; done < <(awk '/=>/{print $1}' "$have")
fi
always_present='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libstdc\+\+|libgcc_s)'

declare -A packed=()
add_lib() {  # $1 = path as ldd resolves it (soname link)
  local so=$1 name
  name=$(basename "$so")
  [[ -n ${packed[$name]:-} ]] && return
  [[ $name =~ $always_present ]] && return
  [[ -n ${present[$name]:-} ]] && return
  packed[$name]=1
  cp -L "$so" "$dst/$name"
}
for r in "${roots[@]}"; do
  soname=$(objdump -p "$r" | awk '/SONAME/{print $2}')
  add_lib "$(dirname "$r")/$soname"
  while read -r dep; do add_lib "$dep"; done < <(ldd "$r" | awk '/=> \//{print $3}')
done
# unversioned links for the linker
for m in "${modules[@]}"; do ln -sf "libopencv_$m.so.406" "$dst/libopencv_$m.so"; done
for m in "${ffmpeg[@]}"; do
  so=$(basename "$(ls "$libdir"/lib$m.so.[0-9]* | grep -E "lib$m\.so\.[0-9]+$" | head -1)")
  ln -sf "$so" "$dst/lib$m.so"
  cp "$libdir/pkgconfig/lib$m.pc" "$dst/pkgconfig/"
  cp -r "/usr/include/$arch/lib$m" "$stage/usr/include/$arch/"
done
mkdir -p "$stage/usr/include/opencv4/opencv2"
cp /usr/include/opencv4/opencv2/cvconfig.h "$stage/usr/include/opencv4/opencv2/" 2>/dev/null || true  # opencv_modules.hpp: written below
for m in "${modules[@]}"; do
  cp -r "/usr/include/opencv4/opencv2/$m" "$stage/usr/include/opencv4/opencv2/" 2>/dev/null || true
  cp "/usr/include/opencv4/opencv2/$m.hpp" "$stage/usr/include/opencv4/opencv2/"
done
# opencv2/opencv.hpp includes every module header guarded by opencv_modules.hpp, which lists
# the modules of the Debian build; write one that names only the packed modules
{
  echo "// pitchtrack GPU pack: the OpenCV modules in this pack"
  echo "#ifndef OPENCV_MODULES_HPP"
  echo "#define OPENCV_MODULES_HPP"
  for m in "${modules[@]}"; do echo "#define HAVE_OPENCV_${m^^}"; done
  echo "#endif"
} > "$stage/usr/include/opencv4/opencv2/opencv_modules.hpp"

ver=$(pkg-config --modversion opencv4)
{
  echo "# pitchtrack GPU pack: OpenCV ${ver} (Debian build), only the modules in this pack."
  echo "get_filename_component(_pt_prefix \"\${CMAKE_CURRENT_LIST_DIR}/../../../..\" ABSOLUTE)"
  echo "set(OpenCV_VERSION ${ver})"
  echo "set(OpenCV_INCLUDE_DIRS \"\${_pt_prefix}/include/opencv4\")"
  echo "set(OpenCV_LIBS \"\")"
  echo "foreach(_m ${modules[*]})"
  echo "  if(NOT TARGET opencv_\${_m})"
  echo "    add_library(opencv_\${_m} SHARED IMPORTED)"
  echo "    set_target_properties(opencv_\${_m} PROPERTIES"
  echo "      IMPORTED_LOCATION \"\${_pt_prefix}/lib/$arch/libopencv_\${_m}.so\""
  echo "      INTERFACE_INCLUDE_DIRECTORIES \"\${OpenCV_INCLUDE_DIRS}\")"
  echo "  endif()"
  echo "  list(APPEND OpenCV_LIBS opencv_\${_m})"
  echo "  set(OpenCV_\${_m}_FOUND TRUE)"
  echo "endforeach()"
  echo "foreach(_c \${OpenCV_FIND_COMPONENTS})"
  echo "  if(NOT TARGET opencv_\${_c})"
  echo "    set(OpenCV_\${_c}_FOUND FALSE)"
  echo "    if(OpenCV_FIND_REQUIRED_\${_c})"
  echo "      set(OpenCV_FOUND FALSE)"
  echo "      set(OpenCV_NOT_FOUND_MESSAGE \"OpenCV module \${_c} is not in the pitchtrack GPU pack\")"
  echo "    endif()"
  echo "  endif()"
  echo "endforeach()"
} > "$dst/cmake/opencv4/OpenCVConfig.cmake"
{
  echo "set(PACKAGE_VERSION ${ver})"
  echo "if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION OR"
  echo "   (PACKAGE_FIND_VERSION_MAJOR AND NOT PACKAGE_FIND_VERSION_MAJOR EQUAL 4))"
  echo "  set(PACKAGE_VERSION_COMPATIBLE FALSE)"
  echo "else()"
  echo "  set(PACKAGE_VERSION_COMPATIBLE TRUE)"
  echo "endif()"
} > "$dst/cmake/opencv4/OpenCVConfig-version.cmake"

mkdir -p "$(dirname "$out")"
# -9e: the device tool carries at most 64 MiB (repository + pack); -9e saves ~1 MB over -6.
tar -C "$stage" -cf - usr | xz -T2 -9e > "$out"
n=${#packed[@]}
raw=$(du -sb "$stage" | cut -f1)
echo "pack_gpu_deps: $n libraries, $((raw / 1048576)) MiB unpacked, $(($(stat -c %s "$out") / 1048576)) MiB in $out"
