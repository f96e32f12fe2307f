import numpy as np
import pytest

import reference
from reference import fgsm, he_init, xavier_init


def test_init_variances():
    rng = np.random.default_rng(0)
    W = xavier_init(300, 200, rng)
    assert W.shape == (300, 200)
    assert W.var() == pytest.approx(2.0 / 500, rel=0.02)
    W = he_init(300, 200, rng)
    assert W.var() == pytest.approx(2.0 / 300, rel=0.02)
    with pytest.raises(ValueError, match="fan_in"):
        he_init(0, 3, rng)
    with pytest.raises(ValueError, match="Generator"):
        xavier_init(3, 3, 0)


def test_fgsm():
    x = np.array([0.5, -0.5, 1.0])
    assert np.allclose(fgsm(x, np.array([2.0, -3.0, 0.0]), 0.1), [0.6, -0.6, 1.0])
    with pytest.raises(ValueError, match="epsilon"):
        fgsm(x, x, -0.1)
    with pytest.raises(ValueError, match="shape"):
        fgsm(x, x[:2], 0.1)


def test_package_reexports_every_public_name():
    import importlib
    for name in ("linear_regression", "knn", "linear_classifiers", "activations", "layers",
                 "dropout", "normalization", "optim", "init", "adversarial", "models",
                 "conv", "cnn", "rnn", "attention"):
        module = importlib.import_module(f"reference.{name}")
        for public in module.__all__:
            assert getattr(reference, public) is getattr(module, public), public
