#include "synth/effects.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pitchtrack::synth {

void add_noise(cv::Mat& frame, const cv::Mat& noise, int ox, int oy) {
  CV_Assert(frame.type() == CV_8UC3 && noise.type() == CV_8SC3);
  CV_Assert(ox >= 0 && oy >= 0 && ox + frame.cols <= noise.cols && oy + frame.rows <= noise.rows);
  const int n = frame.cols * 3;
  for (int y = 0; y < frame.rows; ++y) {
    uint8_t* f = frame.ptr<uint8_t>(y);
    const int8_t* z = noise.ptr<int8_t>(oy + y) + 3 * ox;
    int i = 0;
#if defined(__SSE2__)
    // Unsigned pixels to signed (x ^ 0x80 = x - 128), saturating signed add, back.
    const __m128i bias = _mm_set1_epi8(static_cast<char>(0x80));
    for (; i + 16 <= n; i += 16) {
      __m128i v = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(f + i)), bias);
      v = _mm_adds_epi8(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(z + i)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(f + i), _mm_xor_si128(v, bias));
    }
#endif
    for (; i < n; ++i) f[i] = static_cast<uint8_t>(std::clamp(f[i] + z[i], 0, 255));
  }
}

void motion_blur_horizontal(cv::Mat& frame, int length_px, std::vector<uint8_t>& row) {
  CV_Assert(frame.type() == CV_8UC3);
  if (length_px < 2) return;
  // Taps at -a, -c, +c, +a pixels (a = length/2, c = length/6): a 4-tap box spread over the length.
  const int a = std::max(1, length_px / 2), c = std::max(0, (length_px + 3) / 6);
  const int pad = 3 * a;
  const int n = frame.cols * 3;
  row.resize(static_cast<size_t>(n + 2 * pad));
  const int oa = 3 * a, oc = 3 * c;
  for (int y = 0; y < frame.rows; ++y) {
    uint8_t* f = frame.ptr<uint8_t>(y);
    uint8_t* b = row.data() + pad;
    std::memcpy(b, f, static_cast<size_t>(n));
    for (int k = 0; k < a; ++k) {  // replicate the edge pixels
      std::memcpy(b - 3 * (k + 1), f, 3);
      std::memcpy(b + n + 3 * k, f + n - 3, 3);
    }
    int i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
      const __m128i l1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i - oa));
      const __m128i l2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i - oc));
      const __m128i r2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + oc));
      const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + oa));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(f + i),
                       _mm_avg_epu8(_mm_avg_epu8(l1, l2), _mm_avg_epu8(r2, r1)));
    }
#endif
    for (; i < n; ++i) f[i] = static_cast<uint8_t>((b[i - oa] + b[i - oc] + b[i + oc] + b[i + oa] + 2) >> 2);
  }
}

}  // namespace pitchtrack::synth
