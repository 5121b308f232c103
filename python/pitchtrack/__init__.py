"""pitchtrack: football broadcast video to tracking data in metres.

The Python face of the C++ library (a pybind11 module, ``pitchtrack._pitchtrack``). Names and
behaviour mirror the C++ API one to one:

* ``load_run_config(path)`` -> ``RunConfig`` (the structs config/*.yaml fill)
* ``PipelineFactory.create_realtime_pipeline(config, target_fps)`` /
  ``create_batch_pipeline(config, batch_size)`` -> ``Pipeline`` (``process_frame(bgr_array)``)
* ``StreamProcessor(pipeline, uri, source_config, config)`` and ``AdaptiveStreamProcessor``:
  background decode + pipeline + sinks; ``start(callback)``, ``wait()``, ``stop()``,
  ``stats()``, ``metrics()``
* ``AsyncVideoReader.open(uri)`` / ``BatchFrameReader.open(uri, batch_size)``: frames as
  numpy BGR arrays, iterable
* ``benchmark_stream_processor(...)`` / ``benchmark_multi_stream(...)``: the engines of
  ``pitchtrack bench``

Results are the dicts of one ``tracks.jsonl`` line (docs/FORMATS.md); ``info()`` is the
``pitchtrack probe`` object (``duration_s`` and ``frame_count`` are None when unknown) and
``stats()`` the ``stream`` object of summary.json. Failures raise
``pitchtrack.Error`` (a RuntimeError) with a message naming the input; the end of a stream raises
``pitchtrack.EndOfStream``.
"""

from ._pitchtrack import (  # noqa: F401
    AdaptiveConfig,
    AdaptiveStreamProcessor,
    AsyncVideoReader,
    BatchFrameReader,
    DetectionBatcherConfig,
    DetectorConfig,
    EndOfStream,
    Error,
    Pipeline,
    PipelineConfig,
    PipelineFactory,
    ReaderOptions,
    RunConfig,
    SourceConfig,
    SourceMode,
    StreamProcessor,
    StreamProcessorConfig,
    Timeout,
    __version__,
    benchmark_multi_stream,
    benchmark_stream_processor,
    load_run_config,
)

__all__ = [
    "AdaptiveConfig",
    "AdaptiveStreamProcessor",
    "AsyncVideoReader",
    "BatchFrameReader",
    "DetectionBatcherConfig",
    "DetectorConfig",
    "EndOfStream",
    "Error",
    "Pipeline",
    "PipelineConfig",
    "PipelineFactory",
    "ReaderOptions",
    "RunConfig",
    "SourceConfig",
    "SourceMode",
    "StreamProcessor",
    "StreamProcessorConfig",
    "Timeout",
    "benchmark_multi_stream",
    "benchmark_stream_processor",
    "load_run_config",
]
