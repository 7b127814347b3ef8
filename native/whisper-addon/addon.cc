// Small N-API binding around whisper.cpp (the sources npm delivers in nodejs-whisper).
// A WhisperModel holds the weights once (whisper_init_from_file_with_params_no_state); each
// WhisperContext is one decoding state (whisper_init_state) on a shared model, or on a model of
// its own when given a path. transcribe() runs whisper_full_with_state on the libuv thread pool
// and resolves with segments, tokens (with timestamps), language and its probability.
#include <napi.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "whisper.h"

namespace {

std::atomic<int> g_log_level{0};

void quiet_log(enum ggml_log_level level, const char* text, void*) {
  // whisper.cpp logs a lot on stderr; keep errors only unless asked.
  if (level == GGML_LOG_LEVEL_ERROR || g_log_level.load() > 0) fputs(text, stderr);
}

struct TranscribeOptions {
  std::string language = "auto";
  bool translate = false;
  int beam_size = 1;
  int threads = 2;
  int max_tokens = 0;
  float temperature = 0.0f;
  float temperature_inc = 0.0f;
  float no_speech_thold = 0.6f;
  float entropy_thold = 2.4f;
  float logprob_thold = -1.0f;
  int audio_ctx = 0;
  std::string initial_prompt;
  bool token_timestamps = true;
  bool single_segment = false;
  bool suppress_blank = true;
  bool suppress_nst = true;
};

struct TokenOut {
  std::string text;
  int id;
  float p;
  int64_t t0;
  int64_t t1;
  bool special;
};

struct SegmentOut {
  int64_t t0;
  int64_t t1;
  std::string text;
  float no_speech_prob;
  std::vector<TokenOut> tokens;
};

struct ResultOut {
  std::string language;
  float language_probability = -1.0f;
  std::vector<SegmentOut> segments;
  float encode_ms = 0, decode_ms = 0, batchd_ms = 0, prompt_ms = 0, sample_ms = 0;
};

// The weights, shared by every state created on them; freed with the last user.
struct SharedModel {
  whisper_context* ctx = nullptr;
  bool has_space_token = true;
  ~SharedModel() {
    if (ctx != nullptr) whisper_free(ctx);
  }
};

std::shared_ptr<SharedModel> LoadModel(Napi::Env env, const Napi::CallbackInfo& info,
                                       const char* usage) {
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, usage).ThrowAsJavaScriptException();
    return nullptr;
  }
  whisper_context_params params = whisper_context_default_params();
  params.use_gpu = false;
  params.flash_attn = true;
  if (info.Length() > 1 && info[1].IsObject()) {
    Napi::Object o = info[1].As<Napi::Object>();
    if (o.Has("useGpu")) params.use_gpu = o.Get("useGpu").ToBoolean();
    if (o.Has("flashAttn")) params.flash_attn = o.Get("flashAttn").ToBoolean();
    if (o.Has("gpuDevice")) params.gpu_device = o.Get("gpuDevice").ToNumber().Int32Value();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  auto model = std::make_shared<SharedModel>();
  model->ctx = whisper_init_from_file_with_params_no_state(path.c_str(), params);
  if (model->ctx == nullptr) {
    Napi::Error::New(env, "whisper.cpp could not load the model file " + path)
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  // whisper.cpp's suppress_blank looks up the " " token with map::at; a vocabulary without it
  // (e.g. placeholder vocabularies of benchmark models) would throw mid-decode.
  whisper_token tokens[4];
  const int n = whisper_tokenize(model->ctx, " ", tokens, 4);
  model->has_space_token =
      n == 1 && std::strcmp(whisper_token_to_str(model->ctx, tokens[0]), " ") == 0;
  return model;
}

class WhisperModel : public Napi::ObjectWrap<WhisperModel> {
 public:
  static Napi::FunctionReference* constructor;

  static Napi::Function Init(Napi::Env env) {
    Napi::Function fn =
        DefineClass(env, "WhisperModel", {InstanceMethod("free", &WhisperModel::Free)});
    constructor = new Napi::FunctionReference(Napi::Persistent(fn));
    return fn;
  }

  explicit WhisperModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WhisperModel>(info) {
    model_ = LoadModel(info.Env(), info, "WhisperModel(modelPath, options?) needs a model path");
  }

  std::shared_ptr<SharedModel> model() const { return model_; }

 private:
  // Drops this handle's reference: the weights stay while a context created on them lives.
  Napi::Value Free(const Napi::CallbackInfo& info) {
    model_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<SharedModel> model_;
};

Napi::FunctionReference* WhisperModel::constructor = nullptr;

class WhisperContext;

class TranscribeWorker : public Napi::AsyncWorker {
 public:
  TranscribeWorker(Napi::Env env, WhisperContext* owner, Napi::Object owner_ref,
                   std::vector<float>&& pcm, TranscribeOptions&& options);
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;
  Napi::Promise Promise() { return deferred_.Promise(); }

 private:
  // whisper.cpp may throw (e.g. a model whose vocabulary lacks a token it looks up): an
  // exception escaping this thread would abort the whole process, so it becomes a rejection.
  template <typename F>
  bool Guarded(F&& call) {
    try {
      if (call() != 0) {
        SetError("whisper.cpp failed to process the audio");
        return false;
      }
      return true;
    } catch (const std::exception& e) {
      SetError(std::string("whisper.cpp failed: ") + e.what());
      return false;
    }
  }

  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_ref_;
  WhisperContext* owner_;
  std::vector<float> pcm_;
  TranscribeOptions options_;
  ResultOut result_;
};

class WhisperContext : public Napi::ObjectWrap<WhisperContext> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "WhisperContext",
                       {InstanceMethod("transcribe", &WhisperContext::Transcribe),
                        InstanceMethod("free", &WhisperContext::Free),
                        InstanceAccessor("busy", &WhisperContext::Busy, nullptr)});
  }

  // WhisperContext(model: WhisperModel) shares the model's weights; WhisperContext(path,
  // options?) loads a model of its own.
  explicit WhisperContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WhisperContext>(info) {
    Napi::Env env = info.Env();
    if (info.Length() > 0 && info[0].IsObject() && WhisperModel::constructor != nullptr &&
        info[0].As<Napi::Object>().InstanceOf(WhisperModel::constructor->Value())) {
      model_ = WhisperModel::Unwrap(info[0].As<Napi::Object>())->model();
      if (!model_) {
        Napi::Error::New(env, "the whisper model was freed").ThrowAsJavaScriptException();
        return;
      }
    } else {
      model_ = LoadModel(env, info,
                         "WhisperContext(modelPath | WhisperModel, options?) needs a model");
      if (!model_) return;
    }
    state_ = whisper_init_state(model_->ctx);
    if (state_ == nullptr) {
      model_.reset();
      Napi::Error::New(env, "whisper.cpp could not allocate a decoding state")
          .ThrowAsJavaScriptException();
    }
  }

  ~WhisperContext() override { Release(); }

  whisper_context* ctx() { return model_->ctx; }
  whisper_state* state() { return state_; }
  bool HasSpaceToken() const { return model_->has_space_token; }
  void SetBusy(bool busy) { busy_ = busy; }

 private:
  void Release() {
    if (state_ != nullptr) {
      whisper_free_state(state_);
      state_ = nullptr;
    }
    model_.reset();
  }

  Napi::Value Busy(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), busy_); }

  Napi::Value Free(const Napi::CallbackInfo& info) {
    if (busy_) {
      Napi::Error::New(info.Env(), "cannot free a whisper context while it transcribes")
          .ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    Release();
    return info.Env().Undefined();
  }

  Napi::Value Transcribe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (state_ == nullptr) {
      Napi::Error::New(env, "whisper context was freed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (busy_) {
      Napi::Error::New(env, "whisper context is busy: one transcription at a time")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      Napi::TypeError::New(env, "transcribe(pcm: Float32Array, options?)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Float32Array array = info[0].As<Napi::Float32Array>();
    std::vector<float> pcm(array.Data(), array.Data() + array.ElementLength());
    TranscribeOptions opt;
    if (info.Length() > 1 && info[1].IsObject()) ReadOptions(info[1].As<Napi::Object>(), opt);
    auto* worker = new TranscribeWorker(env, this, Value(), std::move(pcm), std::move(opt));
    Napi::Promise promise = worker->Promise();
    busy_ = true;
    worker->Queue();
    return promise;
  }

  static void ReadOptions(const Napi::Object& o, TranscribeOptions& opt) {
    auto num = [&](const char* key, auto& target) {
      if (o.Has(key) && o.Get(key).IsNumber()) {
        target = static_cast<std::remove_reference_t<decltype(target)>>(
            o.Get(key).As<Napi::Number>().DoubleValue());
      }
    };
    auto flag = [&](const char* key, bool& target) {
      if (o.Has(key) && o.Get(key).IsBoolean()) target = o.Get(key).As<Napi::Boolean>().Value();
    };
    auto str = [&](const char* key, std::string& target) {
      if (o.Has(key) && o.Get(key).IsString()) target = o.Get(key).As<Napi::String>().Utf8Value();
    };
    str("language", opt.language);
    flag("translate", opt.translate);
    num("beamSize", opt.beam_size);
    num("threads", opt.threads);
    num("maxTokens", opt.max_tokens);
    num("temperature", opt.temperature);
    num("temperatureInc", opt.temperature_inc);
    num("noSpeechThreshold", opt.no_speech_thold);
    num("entropyThreshold", opt.entropy_thold);
    num("logprobThreshold", opt.logprob_thold);
    num("audioCtx", opt.audio_ctx);
    str("initialPrompt", opt.initial_prompt);
    flag("tokenTimestamps", opt.token_timestamps);
    flag("singleSegment", opt.single_segment);
    flag("suppressBlank", opt.suppress_blank);
    flag("suppressNonSpeech", opt.suppress_nst);
  }

  std::shared_ptr<SharedModel> model_;
  whisper_state* state_ = nullptr;
  bool busy_ = false;
};

TranscribeWorker::TranscribeWorker(Napi::Env env, WhisperContext* owner, Napi::Object owner_ref,
                                   std::vector<float>&& pcm, TranscribeOptions&& options)
    : Napi::AsyncWorker(env),
      deferred_(Napi::Promise::Deferred::New(env)),
      owner_ref_(Napi::Persistent(owner_ref)),
      owner_(owner),
      pcm_(std::move(pcm)),
      options_(std::move(options)) {}

// whisper_get_timings() reads only a context's own state, so the encoder time of a shared-model
// state is taken from the callbacks: the encoder starts, then the first logits filter call
// marks the first decoded token.
struct PhaseClock {
  using Clock = std::chrono::steady_clock;
  Clock::time_point encode_started;
  bool encoding = false;
  double encode_ms = 0;

  static bool OnEncoderBegin(whisper_context*, whisper_state*, void* data) {
    auto* self = static_cast<PhaseClock*>(data);
    self->encode_started = Clock::now();
    self->encoding = true;
    return true;
  }

  static void OnLogits(whisper_context*, whisper_state*, const whisper_token_data*, int, float*,
                       void* data) {
    auto* self = static_cast<PhaseClock*>(data);
    if (!self->encoding) return;
    self->encoding = false;
    self->encode_ms +=
        std::chrono::duration<double, std::milli>(Clock::now() - self->encode_started).count();
  }
};

void TranscribeWorker::Execute() {
  whisper_context* ctx = owner_->ctx();
  whisper_state* state = owner_->state();
  PhaseClock clock;
  const auto started = PhaseClock::Clock::now();
  const TranscribeOptions& o = options_;
  const bool beam = o.beam_size > 1;
  whisper_full_params p =
      whisper_full_default_params(beam ? WHISPER_SAMPLING_BEAM_SEARCH : WHISPER_SAMPLING_GREEDY);
  p.n_threads = o.threads;
  p.translate = o.translate;
  p.print_progress = false;
  p.print_realtime = false;
  p.print_special = false;
  p.print_timestamps = false;
  p.no_context = true;
  p.single_segment = o.single_segment;
  p.token_timestamps = o.token_timestamps;
  p.max_tokens = o.max_tokens;
  p.audio_ctx = o.audio_ctx;
  p.temperature = o.temperature;
  p.temperature_inc = o.temperature_inc;
  p.no_speech_thold = o.no_speech_thold;
  p.entropy_thold = o.entropy_thold;
  p.logprob_thold = o.logprob_thold;
  p.suppress_blank = o.suppress_blank && owner_->HasSpaceToken();
  p.suppress_nst = o.suppress_nst;
  if (beam) p.beam_search.beam_size = o.beam_size;
  p.initial_prompt = o.initial_prompt.empty() ? nullptr : o.initial_prompt.c_str();
  p.encoder_begin_callback = &PhaseClock::OnEncoderBegin;
  p.encoder_begin_callback_user_data = &clock;
  p.logits_filter_callback = &PhaseClock::OnLogits;
  p.logits_filter_callback_user_data = &clock;

  std::string language = o.language;
  if (language == "auto" || language.empty()) {
    if (!whisper_is_multilingual(ctx)) {
      language = "en";
      result_.language_probability = 1.0f;
    } else {
      // Detect here (instead of inside whisper_full) to get the probability as well.
      const int n = static_cast<int>(pcm_.size());
      if (!Guarded([&] { return whisper_pcm_to_mel_with_state(ctx, state, pcm_.data(), n, o.threads); })) return;
      std::vector<float> probs(whisper_lang_max_id() + 1, 0.0f);
      int id = -1;
      auto detect = [&] {
        id = whisper_lang_auto_detect_with_state(ctx, state, 0, o.threads, probs.data());
        return 0;
      };
      if (!Guarded(detect)) return;
      if (id < 0) {
        SetError("whisper.cpp language detection failed");
        return;
      }
      language = whisper_lang_str(id);
      result_.language_probability = probs[id];
    }
  }
  p.language = language.c_str();
  p.detect_language = false;

  const int n_samples = static_cast<int>(pcm_.size());
  if (!Guarded([&] { return whisper_full_with_state(ctx, state, p, pcm_.data(), n_samples); })) {
    return;
  }
  const int lang_id = whisper_full_lang_id_from_state(state);
  result_.language = lang_id >= 0 ? whisper_lang_str(lang_id) : language;
  const whisper_token eot = whisper_token_eot(ctx);
  const int n = whisper_full_n_segments_from_state(state);
  for (int i = 0; i < n; ++i) {
    SegmentOut seg;
    seg.t0 = whisper_full_get_segment_t0_from_state(state, i);
    seg.t1 = whisper_full_get_segment_t1_from_state(state, i);
    const char* text = whisper_full_get_segment_text_from_state(state, i);
    seg.text = text ? text : "";
    seg.no_speech_prob = whisper_full_get_segment_no_speech_prob_from_state(state, i);
    const int nt = whisper_full_n_tokens_from_state(state, i);
    for (int j = 0; j < nt; ++j) {
      whisper_token_data d = whisper_full_get_token_data_from_state(state, i, j);
      const char* tt = whisper_full_get_token_text_from_state(ctx, state, i, j);
      seg.tokens.push_back({tt ? tt : "", d.id, d.p, d.t0, d.t1, d.id >= eot});
    }
    result_.segments.push_back(std::move(seg));
  }
  const double total_ms =
      std::chrono::duration<double, std::milli>(PhaseClock::Clock::now() - started).count();
  result_.encode_ms = static_cast<float>(clock.encode_ms);
  result_.decode_ms = static_cast<float>(std::max(0.0, total_ms - clock.encode_ms));
}

void TranscribeWorker::OnOK() {
  Napi::Env env = Env();
  owner_->SetBusy(false);
  Napi::Object out = Napi::Object::New(env);
  out.Set("language", result_.language);
  out.Set("languageProbability", result_.language_probability);
  Napi::Array segments = Napi::Array::New(env, result_.segments.size());
  for (size_t i = 0; i < result_.segments.size(); ++i) {
    const SegmentOut& s = result_.segments[i];
    Napi::Object so = Napi::Object::New(env);
    // whisper.cpp times are in 10 ms units.
    so.Set("start", s.t0 / 100.0);
    so.Set("end", s.t1 / 100.0);
    so.Set("text", s.text);
    so.Set("noSpeechProb", s.no_speech_prob);
    Napi::Array tokens = Napi::Array::New(env, s.tokens.size());
    for (size_t j = 0; j < s.tokens.size(); ++j) {
      const TokenOut& t = s.tokens[j];
      Napi::Object to = Napi::Object::New(env);
      to.Set("text", t.text);
      to.Set("id", t.id);
      to.Set("probability", t.p);
      to.Set("start", t.t0 / 100.0);
      to.Set("end", t.t1 / 100.0);
      to.Set("special", t.special);
      tokens.Set(j, to);
    }
    so.Set("tokens", tokens);
    segments.Set(i, so);
  }
  out.Set("segments", segments);
  Napi::Object timings = Napi::Object::New(env);
  timings.Set("encodeMs", result_.encode_ms);
  // decodeMs: everything after the encoder (mel, language detection, decoding, sampling).
  timings.Set("decodeMs", result_.decode_ms);
  timings.Set("sampleMs", result_.sample_ms);
  out.Set("timings", timings);
  deferred_.Resolve(out);
}

void TranscribeWorker::OnError(const Napi::Error& error) {
  owner_->SetBusy(false);
  deferred_.Reject(error.Value());
}

Napi::Value SystemInfo(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), whisper_print_system_info());
}

Napi::Value SetVerbose(const Napi::CallbackInfo& info) {
  g_log_level = info.Length() > 0 && info[0].ToBoolean() ? 1 : 0;
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  whisper_log_set(quiet_log, nullptr);
  exports.Set("WhisperModel", WhisperModel::Init(env));
  exports.Set("WhisperContext", WhisperContext::Init(env));
  exports.Set("systemInfo", Napi::Function::New(env, SystemInfo));
  exports.Set("setVerbose", Napi::Function::New(env, SetVerbose));
  exports.Set("version", Napi::String::New(env, whisper_version()));
  return exports;
}

}  // namespace

NODE_API_MODULE(rt_whisper, Init)
