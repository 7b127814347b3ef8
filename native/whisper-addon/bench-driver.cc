// Native baseline for bench/stt.bench.ts: plain C++ calling whisper_full on the same model and
// audio with the same parameters as our worker, no Node.js involved.
// usage: rt-whisper-bench-driver MODEL PCM16_FILE THREADS MAX_TOKENS AUDIO_CTX RUNS FLASH(0|1)
// prints one line of JSON: {"runsMs":[...],"segments":N}
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <fstream>
#include <vector>

#include "whisper.h"

static void silent(enum ggml_log_level, const char*, void*) {}

int main(int argc, char** argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: %s MODEL PCM16 THREADS MAX_TOKENS AUDIO_CTX RUNS FLASH\n", argv[0]);
    return 2;
  }
  whisper_log_set(silent, nullptr);
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> pcm(bytes.size() / 2);
  for (size_t i = 0; i < pcm.size(); ++i) {
    int16_t s;
    std::memcpy(&s, &bytes[i * 2], 2);
    pcm[i] = s / 32768.0f;
  }
  whisper_context_params cp = whisper_context_default_params();
  cp.use_gpu = false;
  cp.flash_attn = atoi(argv[7]) != 0;
  whisper_context* ctx = whisper_init_from_file_with_params(argv[1], cp);
  if (!ctx) {
    fprintf(stderr, "cannot load %s\n", argv[1]);
    return 1;
  }
  whisper_full_params p = whisper_full_default_params(WHISPER_SAMPLING_GREEDY);
  p.n_threads = atoi(argv[3]);
  p.max_tokens = atoi(argv[4]);
  p.audio_ctx = atoi(argv[5]);
  p.temperature_inc = 0.0f;
  p.no_context = true;
  p.language = "en";
  p.token_timestamps = true;
  // random-weights-tiny.bin has placeholder token texts (no " " token to suppress).
  p.suppress_blank = false;
  p.print_progress = p.print_realtime = p.print_timestamps = p.print_special = false;
  const int runs = atoi(argv[6]);
  printf("{\"runsMs\":[");
  int segments = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if (whisper_full(ctx, p, pcm.data(), (int)pcm.size()) != 0) return 1;
    auto t1 = std::chrono::steady_clock::now();
    segments = whisper_full_n_segments(ctx);
    printf("%s%.1f", r ? "," : "", std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  printf("],\"segments\":%d}\n", segments);
  whisper_free(ctx);
  return 0;
}
