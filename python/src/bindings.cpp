// pitchtrack._pitchtrack: the Python face of the C++ API (pybind11). Thin by design: every
// behaviour lives in the C++ libraries; this file only converts types and errors.
//
// Conversions:
// - A Status that is not ok raises pitchtrack.Error (a RuntimeError) whose message is
//   Status::to_string() (code + message naming the input); end of stream raises
//   pitchtrack.EndOfStream (an Error), timeouts pitchtrack.Timeout.
// - Frames go to Python as numpy uint8 arrays [height, width, 3] in BGR order (a copy), and come
//   from any C-contiguous [height, width, 3] uint8 array.
// - FrameResult goes to Python as the dict of one tracks.jsonl line (docs/FORMATS.md), metrics
//   as the dict of PipelineMetrics::to_json(), stats as plain dicts.
// - List and dict fields of the config structs (DetectorConfig.thresholds,
//   SourceConfig.demuxer_options) come back as copies: assign them whole.
// Threads: every call that blocks or runs the pipeline releases the GIL. Callbacks run on the
// StreamProcessor's sink thread and take the GIL for the call; an exception raised in a callback
// is printed (sys.unraisablehook) and the stream goes on. Destroying a processor stops it with
// the GIL released, so its threads can finish a callback first; at interpreter exit every live
// processor is stopped.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pitchtrack/core/version.hpp"
#include "pitchtrack/io/async_reader.hpp"
#include "pitchtrack/io/batch_reader.hpp"
#include "pitchtrack/io/sink.hpp"
#include "pitchtrack/io/tracks_jsonl.hpp"
#include "pitchtrack/pipeline/adaptive_stream_processor.hpp"
#include "pitchtrack/pipeline/factory.hpp"
#include "pitchtrack/pipeline/multi_stream.hpp"
#include "pitchtrack/pipeline/stream_processor.hpp"

namespace py = pybind11;
using namespace pitchtrack;

namespace {

// Created once at import and never freed (no destructor may run after the interpreter ends).
PyObject* g_error = nullptr;
PyObject* g_end_of_stream = nullptr;
PyObject* g_timeout = nullptr;

// Set while a result callback runs on a processor's sink thread: stop()/wait() from there would
// join the thread they run on.
thread_local bool t_in_callback = false;

// Raises the Python exception for `s`. Needs the GIL: call it only after a gil_scoped_release
// scope has ended.
[[noreturn]] void raise(const Status& s) {
  const std::string msg = s.to_string();
  if (s.is_end_of_stream()) {
    PyErr_SetString(g_end_of_stream, msg.c_str());
  } else if (s.code() == StatusCode::kTimeout) {
    PyErr_SetString(g_timeout, msg.c_str());
  } else {
    PyErr_SetString(g_error, msg.c_str());
  }
  throw py::error_already_set();
}

void check(const Status& s) {
  if (!s.is_ok()) raise(s);
}

template <class T>
T unwrap(Result<T> r) {
  if (!r.is_ok()) raise(r.status());
  return std::move(r).value();
}

py::object json_loads(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

py::array_t<uint8_t> to_numpy(const Frame& f) {
  py::array_t<uint8_t> a({f.height(), f.width(), 3});
  auto* dst = static_cast<uint8_t*>(a.request().ptr);
  const size_t row = static_cast<size_t>(f.width()) * 3;
  for (int y = 0; y < f.height(); ++y) std::memcpy(dst + static_cast<size_t>(y) * row, f.row(y), row);
  return a;
}

Frame from_numpy(const py::array_t<uint8_t, py::array::c_style | py::array::forcecast>& a) {
  if (a.ndim() != 3 || a.shape(2) != 3 || a.shape(0) < 1 || a.shape(1) < 1) {
    throw py::value_error(
        "image must be a uint8 array [height, width, 3] (BGR), got shape " +
        py::str(py::tuple(py::cast(std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim()))))
            .cast<std::string>());
  }
  const int h = static_cast<int>(a.shape(0)), w = static_cast<int>(a.shape(1));
  return Frame::copy_from(a.data(), w, h, w * 3);
}

py::dict frame_data(const FrameData& d) {
  py::dict o;
  o["image"] = to_numpy(d.frame);
  o["index"] = d.index;
  o["pts_us"] = d.pts_us;
  o["arrival_us"] = d.arrival_us;
  return o;
}

py::dict reader_stats(const ReaderStats& s) {
  py::dict o;
  o["decoded"] = s.decoded;
  o["skipped"] = s.skipped;
  o["dropped"] = s.dropped;
  o["delivered"] = s.delivered;
  o["buffered"] = s.buffered;
  o["capacity"] = s.capacity;
  o["drop_rate"] = s.drop_rate();
  return o;
}

std::chrono::milliseconds timeout_ms(double seconds) {
  return seconds < 0 ? std::chrono::milliseconds(-1)
                     : std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

// A Pipeline until a processor takes it over (C++ moves the unique_ptr; so does Python). The
// mutex keeps two Python threads (or a call and the hand-over) off the one-thread Pipeline.
struct PyPipeline {
  std::unique_ptr<Pipeline> p;
  std::unique_ptr<std::mutex> m = std::make_unique<std::mutex>();
  int64_t next_index = 0;  // process_frame's default frame index
  std::unique_ptr<Pipeline> take() {
    std::lock_guard lock(*m);
    if (!p) throw py::value_error("this Pipeline was already handed to a StreamProcessor");
    return std::move(p);
  }
};
constexpr const char* kHandedOver =
    "this Pipeline was handed to a StreamProcessor and can no longer be used here";

// Wraps a Python callable for the sink thread. The callable is released with the GIL held,
// whichever thread drops the last copy of the C++ callback.
StreamProcessor::Callback callback_of(const py::object& fn) {
  if (fn.is_none()) return {};
  std::shared_ptr<py::object> shared(new py::object(fn), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
  return [shared](const FrameResult& r) {
    py::gil_scoped_acquire gil;
    t_in_callback = true;
    try {
      (*shared)(json_loads(to_jsonl_line(r)));
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("pitchtrack StreamProcessor callback");
    }
    t_in_callback = false;
  };
}

// The readers' next frame / batch with the GIL released. At the end of the input: StopIteration
// when `iterating` (for loops), else pitchtrack.EndOfStream.
py::dict next_frame(AsyncVideoReader& r, std::chrono::milliseconds timeout, bool iterating) {
  Result<FrameData> d = [&] {
    py::gil_scoped_release nogil;
    return r.get_frame(timeout);
  }();
  if (iterating && !d.is_ok() && d.status().is_end_of_stream()) throw py::stop_iteration();
  return frame_data(unwrap(std::move(d)));
}

py::list next_batch(BatchFrameReader& r, std::chrono::milliseconds timeout, bool iterating) {
  Result<std::vector<FrameData>> b = [&] {
    py::gil_scoped_release nogil;
    return r.next_batch(timeout);
  }();
  if (iterating && !b.is_ok() && b.status().is_end_of_stream()) throw py::stop_iteration();
  py::list out;
  for (const FrameData& d : unwrap(std::move(b))) out.append(frame_data(d));
  return out;
}

// Processors still running when the interpreter exits are stopped first (their sink threads
// would otherwise call back into a finalising interpreter).
struct Stoppable {
  virtual ~Stoppable() = default;
  virtual void stop_nogil() = 0;
};
std::mutex g_live_mutex;
std::set<Stoppable*> g_live;

// Processors. stop() may come from another Python thread while wait() blocks (the C++ class
// joins under its own lock); neither may be called from the result callback. Dropped by Python:
// stopped and joined with the GIL released (their threads may be waiting for it).
template <class P>
struct PyProcessor : Stoppable {
  std::unique_ptr<P> p;
  bool started = false;
  PyProcessor() {
    std::lock_guard lock(g_live_mutex);
    g_live.insert(this);
  }
  ~PyProcessor() override {
    {
      std::lock_guard lock(g_live_mutex);
      g_live.erase(this);
    }
    py::gil_scoped_release nogil;
    p.reset();
  }
  void stop_nogil() override { p->stop(); }
  static void not_from_callback(const char* what) {
    if (t_in_callback) {
      throw py::value_error(
          std::string(what) +
          "() cannot be called from the result callback (it runs on the thread it would join)");
    }
  }
  void start(const py::object& fn) {
    auto cb = callback_of(fn);
    Status s;
    {
      py::gil_scoped_release nogil;
      s = p->start(std::move(cb));
    }
    check(s);
    started = true;
  }
  void wait() {
    not_from_callback("wait");
    Status s;
    {
      py::gil_scoped_release nogil;
      s = p->wait();
    }
    check(s);
  }
  void stop() {
    not_from_callback("stop");
    py::gil_scoped_release nogil;
    stop_nogil();
  }
  void add_jsonl_sink(const std::string& path) {
    if (started) throw py::value_error("add_jsonl_sink(): add sinks before start()");
    p->add_sink(unwrap(make_jsonl_sink(path)));
  }
};

template <class W>
void bind_processor_common(py::class_<W>& c) {
  c.def("add_jsonl_sink", &W::add_jsonl_sink, py::arg("path"),
        "Writes every result as one tracks.jsonl line to `path` (flushed per line; add before start).")
      .def("start", &W::start, py::arg("callback") = py::none(),
           "Opens the input and starts the threads; `callback(result_dict)` runs for every result "
           "on the sink thread. Raises pitchtrack.Error naming the input when it cannot open.")
      .def("wait", &W::wait, "Blocks until the input ends or stop(); raises if the stream failed.")
      .def("stop", &W::stop, "Stops; results produced so far reach the sinks and the callback.")
      .def("stats", [](W& w) { return json_loads(to_json(w.p->stats())); })
      .def("reader_stats", [](W& w) { return reader_stats(w.p->reader_stats()); })
      .def(
          "metrics", [](W& w) { return json_loads(w.p->metrics().to_json()); },
          "PipelineMetrics as a dict: fps, latency_ms {p50, p95, p99, ...}, stage times, drops, GPU memory.")
      .def("info", [](W& w) { return json_loads(to_json(w.p->info())); })
      .def("__enter__", [](W& w) -> W& { return w; })
      .def("__exit__", [](W& w, py::args) { w.stop(); });
}

}  // namespace

PYBIND11_MODULE(_pitchtrack, m) {
  m.doc() = "pitchtrack: football broadcast video to tracking data (C++ core, Python bindings)";
  m.attr("__version__") = std::string(version());

  g_error = PyErr_NewException("pitchtrack.Error", PyExc_RuntimeError, nullptr);
  g_end_of_stream = PyErr_NewException("pitchtrack.EndOfStream", g_error, nullptr);
  g_timeout = PyErr_NewException("pitchtrack.Timeout", g_error, nullptr);
  m.attr("Error") = py::handle(g_error);
  m.attr("EndOfStream") = py::handle(g_end_of_stream);
  m.attr("Timeout") = py::handle(g_timeout);
  py::module_::import("atexit").attr("register")(py::cpp_function([] {
    std::vector<Stoppable*> live;
    {
      std::lock_guard lock(g_live_mutex);
      live.assign(g_live.begin(), g_live.end());
    }
    py::gil_scoped_release nogil;
    for (Stoppable* s : live) s->stop_nogil();
  }));

  py::enum_<SourceMode>(m, "SourceMode")
      .value("AUTO", SourceMode::kAuto)
      .value("FILE", SourceMode::kFile)
      .value("LIVE", SourceMode::kLive);

  // ---- configuration (the structs the YAML files and CLI flags fill) ----
  py::class_<DetectorConfig>(m, "DetectorConfig")
      .def(py::init<>())
      .def_readwrite("backend", &DetectorConfig::backend)
      .def_readwrite("model_path", &DetectorConfig::model_path)
      .def_readwrite("max_batch", &DetectorConfig::max_batch)
      .def_readwrite("threads", &DetectorConfig::threads)
      .def_readwrite("device", &DetectorConfig::device)
      .def_readwrite("precision", &DetectorConfig::precision)
      .def_readwrite("nms_iou", &DetectorConfig::nms_iou)
      .def_readwrite("max_detections", &DetectorConfig::max_detections)
      .def_readwrite("thresholds", &DetectorConfig::thresholds);

  py::class_<PipelineConfig>(m, "PipelineConfig")
      .def(py::init<>())
      .def_readwrite("detector", &PipelineConfig::detector)
      .def_readwrite("calibration", &PipelineConfig::calibration)
      .def_readwrite("keypoints_every_n", &PipelineConfig::keypoints_every_n)
      .def_readwrite("camera_motion", &PipelineConfig::camera_motion)
      .def_readwrite("cut_detection", &PipelineConfig::cut_detection)
      .def_readwrite("teams", &PipelineConfig::teams)
      .def_readwrite("detector_sessions", &PipelineConfig::detector_sessions);

  py::class_<SourceConfig>(m, "SourceConfig")
      .def(py::init<>())
      .def_readwrite("mode", &SourceConfig::mode)
      .def_readwrite("decoder_threads", &SourceConfig::decoder_threads)
      .def_readwrite("open_timeout_ms", &SourceConfig::open_timeout_ms)
      .def_readwrite("read_timeout_ms", &SourceConfig::read_timeout_ms)
      .def_readwrite("hwaccel", &SourceConfig::hwaccel)
      .def_readwrite("hwaccel_max_decoders", &SourceConfig::hwaccel_max_decoders)
      .def_readwrite("demuxer_options", &SourceConfig::demuxer_options);

  py::class_<StreamProcessorConfig>(m, "StreamProcessorConfig")
      .def(py::init<>())
      .def_readwrite("target_fps", &StreamProcessorConfig::target_fps)
      .def_readwrite("buffer_size", &StreamProcessorConfig::buffer_size)
      .def_readwrite("max_processing_latency_ms", &StreamProcessorConfig::max_processing_latency_ms)
      .def_readwrite("batch_size", &StreamProcessorConfig::batch_size)
      .def_readwrite("mode", &StreamProcessorConfig::mode)
      .def_readwrite("pace_input", &StreamProcessorConfig::pace_input)
      .def_readwrite("overlap_detection", &StreamProcessorConfig::overlap_detection)
      .def_readwrite("warm_up", &StreamProcessorConfig::warm_up)
      .def_readwrite("max_results", &StreamProcessorConfig::max_results)
      .def_readwrite("reconnect_timeout_s", &StreamProcessorConfig::reconnect_timeout_s);

  py::class_<DetectionBatcherConfig>(m, "DetectionBatcherConfig")
      .def(py::init<>())
      .def_readwrite("max_batch", &DetectionBatcherConfig::max_batch)
      .def_readwrite("max_wait_ms", &DetectionBatcherConfig::max_wait_ms)
      .def_readwrite("sessions", &DetectionBatcherConfig::sessions)
      .def_readwrite("clients_per_stream", &DetectionBatcherConfig::clients_per_stream)
      .def_readwrite("resize_on_clients", &DetectionBatcherConfig::resize_on_clients);

  py::class_<AdaptiveConfig>(m, "AdaptiveConfig")
      .def(py::init<>())
      .def_readwrite("initial_fps", &AdaptiveConfig::initial_fps)
      .def_readwrite("min_fps", &AdaptiveConfig::min_fps)
      .def_readwrite("max_fps", &AdaptiveConfig::max_fps)
      .def_readwrite("target_latency_ms", &AdaptiveConfig::target_latency_ms)
      .def_readwrite("control_interval_ms", &AdaptiveConfig::control_interval_ms);

  py::class_<ReaderOptions>(m, "ReaderOptions")
      .def(py::init<>())
      .def_readwrite("buffer_size", &ReaderOptions::buffer_size)
      .def_readwrite("target_fps", &ReaderOptions::target_fps)
      .def_readwrite("mode", &ReaderOptions::mode);

  py::class_<RunConfig>(m, "RunConfig")
      .def(py::init<>())
      .def_readwrite("mode", &RunConfig::mode)
      .def_readwrite("pipeline", &RunConfig::pipeline)
      .def_readwrite("stream", &RunConfig::stream)
      .def_readwrite("source", &RunConfig::source)
      .def_readwrite("batcher", &RunConfig::batcher);

  m.def(
      "load_run_config", [](const std::string& path) { return unwrap(load_run_config(path)); },
      py::arg("path"),
      "Reads a config/*.yaml file into a RunConfig; unknown keys and bad values raise pitchtrack.Error "
      "naming the file and the key.");

  // ---- pipeline ----
  py::class_<PyPipeline>(m, "Pipeline")
      .def(
          "process_frame",
          [](PyPipeline& p, const py::array_t<uint8_t, py::array::c_style | py::array::forcecast>& image,
             int64_t index, int64_t pts_us) {
            Frame f = from_numpy(image);
            f.index = index >= 0 ? index : p.next_index;
            f.pts_us = pts_us >= 0 ? pts_us : f.index * 40000;
            p.next_index = f.index + 1;
            bool handed_over = false;
            Result<FrameResult> r = [&]() -> Result<FrameResult> {
              py::gil_scoped_release nogil;
              std::lock_guard lock(*p.m);
              if (!p.p) {
                handed_over = true;
                return FrameResult{};
              }
              return p.p->process_frame(f);
            }();
            if (handed_over) throw py::value_error(kHandedOver);
            return json_loads(to_jsonl_line(unwrap(std::move(r))));
          },
          py::arg("image"), py::arg("index") = -1, py::arg("pts_us") = -1,
          "Runs one BGR frame (uint8 [h, w, 3]) through every stage; returns its tracks.jsonl dict. "
          "index defaults to one more than the last frame's (0 first), pts_us to index x 40 ms.")
      .def("metrics",
           [](PyPipeline& p) {
             std::string j;
             {
               py::gil_scoped_release nogil;
               std::lock_guard lock(*p.m);
               if (p.p) j = p.p->get_metrics().to_json();
             }
             if (j.empty()) throw py::value_error(kHandedOver);
             return json_loads(j);
           })
      .def(
          "reset",
          [](PyPipeline& p) {
            bool ok = false;
            {
              py::gil_scoped_release nogil;
              std::lock_guard lock(*p.m);
              if (p.p) p.p->reset(), ok = true;
            }
            if (!ok) throw py::value_error(kHandedOver);
          },
          "Forgets all per-stream state.");

  py::class_<PipelineFactory>(m, "PipelineFactory")
      .def_static(
          "create_realtime_pipeline",
          [](const PipelineConfig& c, double target_fps) {
            Result<std::unique_ptr<Pipeline>> r = [&] {
              py::gil_scoped_release nogil;  // loads models
              return PipelineFactory::create_realtime_pipeline(c, target_fps);
            }();
            return PyPipeline{unwrap(std::move(r))};
          },
          py::arg("config") = PipelineConfig{}, py::arg("target_fps") = 0.0)
      .def_static(
          "create_batch_pipeline",
          [](const PipelineConfig& c, int batch_size) {
            Result<std::unique_ptr<Pipeline>> r = [&] {
              py::gil_scoped_release nogil;
              return PipelineFactory::create_batch_pipeline(c, batch_size);
            }();
            return PyPipeline{unwrap(std::move(r))};
          },
          py::arg("config") = PipelineConfig{}, py::arg("batch_size") = 8)
      .def_static("realtime_stream_config", &PipelineFactory::realtime_stream_config, py::arg("target_fps"),
                  py::arg("max_latency_ms") = 250.0)
      .def_static("batch_stream_config", &PipelineFactory::batch_stream_config, py::arg("batch_size"));

  using PySP = PyProcessor<StreamProcessor>;
  py::class_<PySP> sp(m, "StreamProcessor");
  sp.def(py::init([](PyPipeline& pipeline, const std::string& uri, const SourceConfig& source,
                     const StreamProcessorConfig& config) {
           auto w = std::make_unique<PySP>();
           w->p = std::make_unique<StreamProcessor>(pipeline.take(), uri, source, config);
           return w;
         }),
         py::arg("pipeline"), py::arg("uri"), py::arg("source_config") = SourceConfig{},
         py::arg("config") = StreamProcessorConfig{},
         "Takes over `pipeline` (it cannot be used from Python afterwards) and reads `uri` (file, "
         "rtmp://, rtsp://, srt://, http(s) HLS) in the background.")
      .def("set_target_fps", [](PySP& w, double fps) { w.p->set_target_fps(fps); })
      .def("target_fps", [](PySP& w) { return w.p->target_fps(); });
  bind_processor_common(sp);

  using PyASP = PyProcessor<AdaptiveStreamProcessor>;
  py::class_<PyASP> asp(m, "AdaptiveStreamProcessor");
  asp.def(py::init([](PyPipeline& pipeline, const std::string& uri, const SourceConfig& source,
                      const AdaptiveConfig& adaptive, const StreamProcessorConfig& config) {
            check(validate(adaptive));
            auto w = std::make_unique<PyASP>();
            w->p = std::make_unique<AdaptiveStreamProcessor>(pipeline.take(), uri, source, adaptive, config);
            return w;
          }),
          py::arg("pipeline"), py::arg("uri"), py::arg("source_config") = SourceConfig{},
          py::arg("adaptive") = AdaptiveConfig{}, py::arg("config") = StreamProcessorConfig{},
          "A StreamProcessor whose frame rate follows what the pipeline keeps up with.")
      .def("current_fps", [](PyASP& w) { return w.p->current_fps(); })
      .def("fps_history", [](PyASP& w) {
        py::list out;
        for (const FpsChange& c : w.p->fps_history()) {
          py::dict d;
          d["at_us"] = c.at_us;
          d["from_fps"] = c.from_fps;
          d["to_fps"] = c.to_fps;
          d["reason"] = std::string(to_string(c.reason));
          out.append(d);
        }
        return out;
      });
  bind_processor_common(asp);

  // ---- readers ----
  py::class_<AsyncVideoReader>(m, "AsyncVideoReader")
      .def_static(
          "open",
          [](const std::string& uri, const SourceConfig& source, const ReaderOptions& options) {
            Result<std::unique_ptr<AsyncVideoReader>> r = [&]() -> Result<std::unique_ptr<AsyncVideoReader>> {
              py::gil_scoped_release nogil;
              auto opened = AsyncVideoReader::open(uri, source, options);
              if (opened.is_ok()) PT_RETURN_IF_ERROR((*opened)->start());
              return opened;
            }();
            return unwrap(std::move(r));
          },
          py::arg("uri"), py::arg("source_config") = SourceConfig{}, py::arg("options") = ReaderOptions{},
          "Opens `uri` and starts decoding in the background.")
      .def(
          "get_frame",
          [](AsyncVideoReader& r, double timeout_s) { return next_frame(r, timeout_ms(timeout_s), false); },
          py::arg("timeout_s") = -1.0,
          "The next frame as {image, index, pts_us, arrival_us}; raises EndOfStream at the end, "
          "Timeout when none came within timeout_s (< 0: wait).")
      .def("__iter__", [](AsyncVideoReader& r) -> AsyncVideoReader& { return r; })
      .def("__next__", [](AsyncVideoReader& r) { return next_frame(r, std::chrono::milliseconds(-1), true); })
      .def("stop",
           [](AsyncVideoReader& r) {
             py::gil_scoped_release nogil;
             r.stop();
           })
      .def("set_target_fps", &AsyncVideoReader::set_target_fps, py::arg("fps"))
      .def("stats", [](const AsyncVideoReader& r) { return reader_stats(r.stats()); })
      .def("info", [](const AsyncVideoReader& r) { return json_loads(to_json(r.info())); });

  py::class_<BatchFrameReader>(m, "BatchFrameReader")
      .def_static(
          "open",
          [](const std::string& uri, size_t batch_size, const SourceConfig& source) {
            Result<std::unique_ptr<BatchFrameReader>> r = [&] {
              py::gil_scoped_release nogil;
              return BatchFrameReader::open(uri, batch_size, source);
            }();
            return unwrap(std::move(r));
          },
          py::arg("uri"), py::arg("batch_size"), py::arg("source_config") = SourceConfig{})
      .def(
          "next_batch",
          [](BatchFrameReader& r, double timeout_s) { return next_batch(r, timeout_ms(timeout_s), false); },
          py::arg("timeout_s") = -1.0, "The next 1..batch_size frames; raises EndOfStream at the end.")
      .def("__iter__", [](BatchFrameReader& r) -> BatchFrameReader& { return r; })
      .def("__next__", [](BatchFrameReader& r) { return next_batch(r, std::chrono::milliseconds(-1), true); })
      .def_property_readonly("batch_size", &BatchFrameReader::batch_size)
      .def("stats", [](const BatchFrameReader& r) { return reader_stats(r.stats()); })
      .def("info", [](const BatchFrameReader& r) { return json_loads(to_json(r.info())); });

  // ---- benchmarks (the engines of `pitchtrack bench`) ----
  m.def(
      "benchmark_stream_processor",
      [](const PipelineConfig& config, const std::string& source, double duration_s, double target_fps,
         const StreamProcessorConfig& stream, const SourceConfig& source_config) {
        Result<PipelineMetrics> r = [&] {
          py::gil_scoped_release nogil;
          return benchmark_stream_processor(config, source, duration_s, target_fps, stream, source_config);
        }();
        return json_loads(unwrap(std::move(r)).to_json());
      },
      py::arg("config"), py::arg("source"), py::arg("duration_s") = 0.0, py::arg("target_fps") = 0.0,
      py::arg("stream_config") = StreamProcessorConfig{}, py::arg("source_config") = SourceConfig{},
      "Runs `source` through a pipeline for duration_s (0: to the end); returns the metrics dict.");
  m.def(
      "benchmark_multi_stream",
      [](const PipelineConfig& config, const std::vector<std::string>& sources, int streams,
         double duration_s, const StreamProcessorConfig& stream, const DetectionBatcherConfig& batcher,
         const SourceConfig& source_config) {
        Result<MultiStreamReport> r = [&] {
          py::gil_scoped_release nogil;
          return benchmark_multi_stream(config, source_config, stream, batcher, sources, streams, duration_s);
        }();
        return json_loads(unwrap(std::move(r)).to_json());
      },
      py::arg("config"), py::arg("sources"), py::arg("streams"), py::arg("duration_s") = 0.0,
      py::arg("stream_config") = StreamProcessorConfig{}, py::arg("batcher") = DetectionBatcherConfig{},
      py::arg("source_config") = SourceConfig{},
      "N streams sharing one detector (DetectionBatcher); returns the multi-stream report dict "
      "(docs/FORMATS.md).");
}
