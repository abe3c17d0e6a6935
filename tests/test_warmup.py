"""A new web worker loads the model, vectors, index reader and templates before its first request."""

import pytest

from config import warmup

pytestmark = pytest.mark.django_db


def test_warm_up_leaves_nothing_for_the_first_request_to_load(monkeypatch):
    from django.template import engines

    from knowledge.semantic import encoder

    monkeypatch.setattr(encoder, "_encoder", None)
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()

    warmup.warm_up()

    assert encoder._encoder is not None
    assert "knowledge/home_page.html" in {key.split("-")[0] for key in loader.get_template_cache}


def test_a_failing_step_does_not_stop_the_worker(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database is down")

    monkeypatch.setattr(warmup, "_search_index", broken)
    warmup.warm_up()
    assert "Warm-up step broken failed" in caplog.text
