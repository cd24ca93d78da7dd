"""Piper, the default engine: the adapter (``adapter.PiperEngine``), voice preparation
(``voice``) and graph rewriting (``graph``)."""
