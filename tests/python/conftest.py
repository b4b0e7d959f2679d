"""pytest configuration for the Python package tests (tests/python).

Shared helpers live in ``reference.py`` beside this file (``from reference import ...``); pytest puts
this folder on sys.path because it has no ``__init__.py``.
"""

import pytest
import torch


def pytest_report_header(config):
    try:
        import quantization_mlx as q

        info = q.build_info()
        return (
            f"quantization_mlx {info['version']} ({info['profile']}), backends {info['backends']}, "
            f"cpu features {' '.join(info['cpu_features'])}; torch {torch.__version__}"
        )
    except Exception as e:  # noqa: BLE001 - the import failure is reported by the tests themselves
        return f"quantization_mlx not importable: {e!r}"


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
