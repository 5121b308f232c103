"""The Python package against the C++ behaviour it mirrors: readers, pipeline, processors,
benchmarks, configuration and errors. Clips come from the make_test_clips fixture
(PITCHTRACK_TEST_CLIPS); the classical detector keeps it fast and model-free."""

import json
import os
import tempfile
import threading
import unittest

import numpy as np

import pitchtrack as pt

CLIPS = os.environ.get("PITCHTRACK_TEST_CLIPS", "")
SOURCE_DIR = os.environ.get("PITCHTRACK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def clip(name):
    return os.path.join(CLIPS, name)


def light_config():
    c = pt.PipelineConfig()
    c.detector.backend = "classical"
    c.calibration = "off"
    return c


class ErrorsAndConfig(unittest.TestCase):
    def test_error_types(self):
        self.assertTrue(issubclass(pt.Error, RuntimeError))
        self.assertTrue(issubclass(pt.EndOfStream, pt.Error))
        self.assertTrue(issubclass(pt.Timeout, pt.Error))
        self.assertRegex(pt.__version__, r"^\d+\.\d+\.\d+")

    def test_shipped_configs_load_and_bad_ones_name_the_key(self):
        for name in ("realtime-cpu.yaml", "batch-cpu.yaml", "multistream-gpu.yaml"):
            cfg = pt.load_run_config(os.path.join(SOURCE_DIR, "config", name))
            self.assertIn(cfg.mode, ("realtime", "batch"))
        cfg = pt.load_run_config(os.path.join(SOURCE_DIR, "config", "multistream-gpu.yaml"))
        self.assertEqual(cfg.batcher.clients_per_stream, 2)
        self.assertEqual(cfg.pipeline.detector.backend, "torch")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("mode: realtime\ndetector:\n  backnd: onnx\n")
        try:
            with self.assertRaisesRegex(pt.Error, "detector.backnd"):
                pt.load_run_config(f.name)
        finally:
            os.unlink(f.name)
        with self.assertRaisesRegex(pt.Error, "/nonexistent.yaml"):
            pt.load_run_config("/nonexistent.yaml")

    def test_nested_config_structs_are_writable_in_place(self):
        c = pt.PipelineConfig()
        c.detector.backend = "classical"  # a struct field: a reference into c
        self.assertEqual(c.detector.backend, "classical")
        c.detector.thresholds = [0.5, 0.4, 0.3, 0.2]  # list fields are copies: assign them whole
        self.assertAlmostEqual(c.detector.thresholds[3], 0.2, places=6)


class Readers(unittest.TestCase):
    def test_async_reader_iterates_every_frame_as_bgr_arrays(self):
        reader = pt.AsyncVideoReader.open(clip("h264.mp4"))
        info = reader.info()
        frames = list(reader)
        self.assertEqual(len(frames), 50)
        self.assertEqual([f["index"] for f in frames], list(range(50)))
        first = frames[0]["image"]
        self.assertEqual(first.dtype, np.uint8)
        self.assertEqual(first.shape, (info["height"], info["width"], 3))
        self.assertGreater(int(first.max()), 0)
        self.assertTrue(all(b["pts_us"] > a["pts_us"] for a, b in zip(frames, frames[1:])))
        with self.assertRaises(pt.EndOfStream):
            reader.get_frame()
        self.assertEqual(reader.stats()["delivered"], 50)

    def test_batch_reader_gives_full_batches_then_the_rest(self):
        reader = pt.BatchFrameReader.open(clip("h264.mp4"), 8)
        sizes = [len(b) for b in reader]
        self.assertEqual(sizes, [8] * 6 + [2])
        self.assertEqual(reader.batch_size, 8)

    def test_bad_inputs_are_errors_naming_the_input(self):
        with self.assertRaisesRegex(pt.Error, "no_such_clip.mp4"):
            pt.AsyncVideoReader.open(clip("no_such_clip.mp4"))
        with self.assertRaisesRegex(pt.Error, "garbage.mp4"):
            reader = pt.AsyncVideoReader.open(clip("garbage.mp4"))
            list(reader)


class PipelineAndProcessors(unittest.TestCase):
    def test_process_frame_returns_the_jsonl_dict(self):
        pipeline = pt.PipelineFactory.create_realtime_pipeline(light_config(), 0)
        reader = pt.AsyncVideoReader.open(clip("h264.mp4"))
        for i, f in enumerate(reader):
            out = pipeline.process_frame(f["image"])
            if i == 4:
                break
        self.assertEqual(out["frame"], 4)  # numbered 0, 1, ... unless given
        for key in ("objects", "ball", "homography", "timings_ms", "flags"):
            self.assertIn(key, out)
        self.assertEqual(pipeline.metrics()["frames_processed"], 5)
        self.assertEqual(pipeline.process_frame(f["image"], index=100)["frame"], 100)
        with self.assertRaises(ValueError):
            pipeline.process_frame(np.zeros((10, 10), dtype=np.uint8))

    def test_stream_processor_runs_the_file_losslessly_with_sink_and_callback(self):
        pipeline = pt.PipelineFactory.create_batch_pipeline(light_config(), 4)
        sp = pt.StreamProcessor(pipeline, clip("mpeg2.ts"), pt.SourceConfig(),
                                pt.PipelineFactory.batch_stream_config(4))
        with self.assertRaises(ValueError):  # handed over, as in C++
            pipeline.process_frame(np.zeros((8, 8, 3), dtype=np.uint8))
        got = []
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "tracks.jsonl")
            sp.add_jsonl_sink(out)
            sp.start(lambda r: got.append(r["frame"]))
            sp.wait()
            with open(out) as f:
                lines = [json.loads(line) for line in f]
        self.assertEqual(got, list(range(50)))
        self.assertEqual([line["frame"] for line in lines], got)
        stats = sp.stats()
        self.assertEqual(stats["frames_processed"], 50)
        self.assertEqual(stats["dropped_reader"] + stats["dropped_latency"], 0)
        self.assertGreater(sp.metrics()["fps"], 0)

    def test_stream_processor_stops_after_max_results(self):
        pipeline = pt.PipelineFactory.create_batch_pipeline(light_config(), 4)
        config = pt.PipelineFactory.batch_stream_config(4)
        config.max_results = 5
        sp = pt.StreamProcessor(pipeline, clip("mpeg2.ts"), pt.SourceConfig(), config)
        got = []
        sp.start(lambda r: got.append(r["frame"]))
        sp.wait()
        self.assertEqual(got, list(range(5)))

    def test_a_failing_callback_does_not_stop_the_stream(self):
        pipeline = pt.PipelineFactory.create_batch_pipeline(light_config(), 4)
        sp = pt.StreamProcessor(pipeline, clip("h264.mp4"), pt.SourceConfig(),
                                pt.PipelineFactory.batch_stream_config(4))
        calls = []
        unraisable = []
        old_hook = __import__("sys").unraisablehook
        __import__("sys").unraisablehook = lambda u: unraisable.append(u.exc_value)

        def callback(r):
            calls.append(r["frame"])
            raise KeyError("boom")

        try:
            sp.start(callback)
            sp.wait()
        finally:
            __import__("sys").unraisablehook = old_hook
        self.assertEqual(len(calls), 50)
        self.assertEqual(len(unraisable), 50)
        self.assertIsInstance(unraisable[0], KeyError)

    def test_stop_from_another_thread_ends_wait_and_keeps_what_was_produced(self):
        pipeline = pt.PipelineFactory.create_realtime_pipeline(light_config(), 0)
        config = pt.PipelineFactory.realtime_stream_config(0)
        config.pace_input = True  # 2 s of video read at its own rate
        sp = pt.StreamProcessor(pipeline, clip("h264.mp4"), pt.SourceConfig(), config)
        got = []
        first = threading.Event()
        errors = []

        def callback(r):
            got.append(r["frame"])
            if len(got) == 1:
                try:
                    sp.stop()  # would join the thread it runs on
                except ValueError as e:
                    errors.append(e)
            first.set()

        sp.start(callback)
        stopper = threading.Thread(target=lambda: (first.wait(10), sp.stop()))
        stopper.start()
        sp.wait()  # returns once the other thread's stop() has ended the stream
        stopper.join()
        self.assertEqual(len(errors), 1)
        self.assertIn("callback", str(errors[0]))
        self.assertGreater(len(got), 0)
        self.assertLess(len(got), 50)
        self.assertEqual(sp.stats()["frames_processed"], len(got))
        with self.assertRaises(ValueError):
            sp.add_jsonl_sink("/tmp/never.jsonl")  # sinks go in before start()

    def test_missing_input_is_an_error_at_start(self):
        pipeline = pt.PipelineFactory.create_realtime_pipeline(light_config(), 0)
        sp = pt.StreamProcessor(pipeline, clip("nope.mp4"))
        with self.assertRaisesRegex(pt.Error, "nope.mp4"):
            sp.start()

    def test_adaptive_stream_processor_runs_and_reports_its_rate(self):
        pipeline = pt.PipelineFactory.create_realtime_pipeline(light_config(), 0)
        adaptive = pt.AdaptiveConfig()
        adaptive.initial_fps = 10
        asp = pt.AdaptiveStreamProcessor(pipeline, clip("h264.mp4"), pt.SourceConfig(), adaptive,
                                         pt.PipelineFactory.realtime_stream_config(10))
        asp.start()
        asp.wait()
        self.assertGreater(asp.stats()["frames_processed"], 0)
        self.assertGreater(asp.current_fps(), 0)
        self.assertIsInstance(asp.fps_history(), list)
        bad = pt.AdaptiveConfig()
        bad.min_fps = -1
        with self.assertRaisesRegex(pt.Error, "min_fps"):
            pt.AdaptiveStreamProcessor(pt.PipelineFactory.create_realtime_pipeline(light_config(), 0),
                                       clip("h264.mp4"), pt.SourceConfig(), bad)


class Benchmarks(unittest.TestCase):
    def test_single_stream_benchmark_returns_metrics(self):
        m = pt.benchmark_stream_processor(light_config(), clip("h264.mp4"))
        self.assertEqual(m["frames_processed"], 50)
        self.assertGreater(m["fps"], 0)
        self.assertIn("p99", m["latency_ms"])

    def test_multi_stream_benchmark_returns_the_report(self):
        batcher = pt.DetectionBatcherConfig()
        batcher.max_batch = 4
        rep = pt.benchmark_multi_stream(light_config(), [clip("h264.mp4")], 2, 0.0,
                                        pt.StreamProcessorConfig(), batcher)
        self.assertEqual(rep["streams"], 2)
        self.assertEqual(len(rep["per_stream"]), 2)
        self.assertGreater(rep["frames_processed"], 0)


if __name__ == "__main__":
    unittest.main()
