"""skalocc's benchmark suite: ``python benchmarks/run.py PROTOCOL [options]``.

Private modules, one job each: ``_data`` (reading the offline data folder),
``_tasks`` (what a protocol is; seeded splits), ``_image_protocols`` and
``_adbench`` (the protocols), ``_protocols`` (by name, with presets),
``_detectors`` (the registry of compared detectors), ``_baselines`` (PCA
reconstruction, the PyOD adapter), ``_metrics``, ``_runner`` (the timed
evaluation loop), ``_tables`` and ``_report`` (markdown and JSON), ``_cli``
(the command line). See ``benchmarks/README.md``.
"""
