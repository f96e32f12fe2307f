"""Course families: one declared binding per family of homework (``family = ...`` in assignment.toml).

A binding maps a family's API — class and function names, weight layouts, optimizer state keys,
constructor arguments — onto the canonical calling forms of the topic checks (grader/topics), so a test,
and a suite written once for several assignments (grader/suites), asks ``family.fc_net()`` and never
which course it grades. The ``family`` fixture gives the binding of the assignment's family, bound to
the submission being graded (``student``, ``sandbox``).

* ``c147``: UCLA ECE C147/C247 (``nndl``): ``KNN``; ``Softmax``/``SVM`` classes with ``W (C, D)`` and
  no regularization; ``TwoLayerNet`` with ``W1 (H, D)``, ``W2 (C, H)`` and ½·reg; ``use_batchnorm``;
  rmsprop ``a``, adam ``v`` (first moment), ``a`` (second moment).
* ``cs231n``: Stanford CS231n: ``KNearestNeighbor``; ``softmax_loss_*``/``svm_loss_*`` functions with
  ``W (D, C)``; ``TwoLayerNet`` in the canonical layout with reg or ½·reg; ``normalization=``;
  rmsprop ``cache``, adam ``m``, ``v``.
* ``own`` (the default): no binding; the tests give the checks their own adapters in the canonical
  forms (docs/writing-assignments.md, "Families and suites").
"""

from __future__ import annotations

import numpy as np

from grader.assignment import METADATA_FILE, AssignmentError
from grader.topics import fc_net
from grader.topics import two_layer_net as tln
from grader.topics.linear_classifiers import unpack_pair

OWN = "own"


class Family:
    """The forms built alike for every family from the facts each family declares (class attributes);
    the forms that differ in kind (``fc_net``, ``linear_loss``) are each family's own methods. A family
    declares, for the forms its assignments use:

    * ``knn_class``: the k-nearest-neighbour class;
    * ``two_layer_transposed``: the TwoLayerNet params stored transposed (canonical: W1 (D, H), W2 (H, C));
    * ``two_layer_reg_scale``: s in s * reg * (|W1|^2 + |W2|^2); a tuple: each accepted, the first expected;
    * ``optim_keys``: rule -> {reference (cs231n) state key: the family's state key};
    * ``fc_net()``: ``make(hidden_dims, input_dim, num_classes, *, dropout_keep, normalization, reg,
      weight_scale, seed) -> fc_net.Model`` building the student's ``FullyConnectedNet``;
    * ``linear_loss(name)``: ``loss_fn(W (D, C), X, y, reg) -> (loss, dW (D, C) or None)`` of the graded
      ``name``.

    tests/grader/test_families.py checks that the family of every bundled assignment declares what the
    suites it imports use.
    """

    name = ""

    def __init__(self, student, sandbox=None):
        self.student, self.sandbox = student, sandbox

    # ------------------------------------------------------------------------ k-nearest neighbours
    def _trained_knn(self, X_train, y_train):
        obj = getattr(self.student, self.knn_class)()
        obj.train(X_train, y_train)
        return obj

    def knn_distances(self, method, norm=None):
        """``dist_fn(X_train, X) -> (num_test, num_train)``: ``obj.train(X_train, y)`` then
        ``obj.<method>(X)``; ``norm`` names a worker helper passed as ``norm=`` (c147's L1 test)."""
        def dist_fn(X_train, X):
            obj = self._trained_knn(X_train, np.zeros(len(X_train), dtype=np.int64))
            if norm is None:
                return getattr(obj, method)(X)
            from grader.sandbox import Func
            return getattr(obj, method)(X, norm=Func(norm))
        return dist_fn

    def knn_labels(self):
        """``labels_fn(dists, y_train, k)``: ``obj.train`` (placeholder features), then
        ``obj.predict_labels(dists, k=k)``."""
        def labels_fn(dists, y_train, k):
            return self._trained_knn(np.zeros((len(y_train), 1)), y_train).predict_labels(dists, k=k)
        return labels_fn

    def knn_predict(self, num_loops):
        """``predict_fn(X_train, y_train, X, k)``: ``obj.predict(X, k=k, num_loops=num_loops)``."""
        def predict_fn(X_train, y_train, X, k):
            return self._trained_knn(X_train, y_train).predict(X, k=k, num_loops=num_loops)
        return predict_fn

    # ----------------------------------------------------------------------------- two-layer net
    def two_layer_net(self):
        """``net_fn(params, X, y, reg)`` of topics.two_layer_net (canonical layout in and out)."""
        return tln.net_fn_of(self.student, self.two_layer_transposed)

    def two_layer_train(self):
        """``train_fn(params, X, y, learning_rate, reg, num_iters, batch_size) -> params``."""
        return tln.train_fn_of(self.student, self.two_layer_transposed)

    def two_layer_predict(self):
        """``predict_fn(params, X) -> labels``."""
        return tln.predict_fn_of(self.student, self.two_layer_transposed)

    # ------------------------------------------------------------------------------ nets, optimizers
    def conv_net(self, use_batchnorm=False):
        """``make_net(**kwargs)``: ``ThreeLayerConvNet(**kwargs)`` by keyword; ``use_batchnorm=True`` is
        passed only when asked for, so a net without that argument (the optional part skipped, or another
        family's signature) fails only the batch-norm test."""
        extra = {"use_batchnorm": True} if use_batchnorm else {}
        return lambda **kw: self.student.ThreeLayerConvNet(**extra, **kw)

    def state_keys(self, rule):
        """The optimizer ``rule``'s state keys: {reference key: the family's key}."""
        return self.optim_keys[rule]


class C147(Family):
    """UCLA ECE C147/C247 (``nndl``)."""

    name = "c147"
    knn_class = "KNN"
    two_layer_transposed = ("W1", "W2")
    two_layer_reg_scale = 0.5
    optim_keys = {"sgd": {}, "sgd_momentum": {"velocity": "velocity"},
                  "sgd_nesterov_momentum": {"velocity": "velocity"},
                  "rmsprop": {"cache": "a"}, "adam": {"m": "v", "v": "a", "t": "t"}}

    def fc_net(self):
        """``FullyConnectedNet(hidden_dims, input_dim, num_classes, dropout, use_batchnorm, reg,
        weight_scale, dtype, seed)``; ``dropout`` is the keep probability (1: none). The optional features'
        arguments (``dropout``, ``use_batchnorm``) are passed only when the test uses the feature."""
        cls, reseed = self.student.FullyConnectedNet, fc_net.reseeder(self.sandbox)

        def make(hidden_dims, input_dim, num_classes, *, dropout_keep=1, normalization=None, reg=0.0,
                 weight_scale=1e-2, seed=0):
            if normalization not in (None, "batchnorm"):
                raise ValueError("c147 nets have batch norm only")
            optional = {"dropout": dropout_keep} if dropout_keep != 1 else {}
            if normalization:
                optional["use_batchnorm"] = True
            net = cls(list(hidden_dims), input_dim, num_classes, **optional, reg=reg, weight_scale=weight_scale,
                      dtype="float64", seed=seed)
            return fc_net.Model(net, reseed, seed)
        return make

    def _classifier(self, class_name, W):
        """``class_name(dims=[C, D])`` holding ``W (D, C)`` as its ``W (C, D)``."""
        obj = getattr(self.student, class_name)(dims=[W.shape[1], W.shape[0]])
        obj.W = W.T.copy()
        return obj

    def linear_loss(self, name):
        """``Softmax.loss`` gives the loss only; ``loss_and_grad``/``fast_loss_and_grad`` give
        ``(loss, grad (C, D))``, transposed back. No regularization term."""
        class_name, method = name.split(".")

        def loss_fn(W, X, y, reg):
            if reg:
                raise ValueError("c147 linear classifiers have no regularization term")
            result = getattr(self._classifier(class_name, W), method)(X, y)
            if method == "loss":
                return result, None
            loss, grad = unpack_pair(result, name)
            return loss, grad.T if isinstance(grad, np.ndarray) and grad.ndim == 2 else grad
        return loss_fn

    def linear_train(self, class_name):
        """``train_fn(W0, X, y, learning_rate, num_iters, batch_size, seed) -> W (D, C)``:
        ``obj.train(X, y, learning_rate, num_iters, batch_size)``, the student's RNG seeded with ``seed``
        right before (its ``init_weights`` draw and its minibatches then replay)."""
        from grader.sandbox import fetch

        def train_fn(W0, X, y, learning_rate, num_iters, batch_size, seed=None):
            obj = self._classifier(class_name, W0)
            if self.sandbox is not None and seed is not None:
                self.sandbox.reseed(seed)
            obj.train(X, y, learning_rate=learning_rate, num_iters=num_iters, batch_size=batch_size)
            W = fetch(obj.W)
            return W.T if isinstance(W, np.ndarray) and W.ndim == 2 else W
        return train_fn

    def linear_init(self, class_name):
        """``init_fn(shape (D, C), seed)``: the W (as (D, C)) that the student's own
        ``init_weights(dims=[C, D])`` sets right after the RNG is seeded with ``seed``, or None when it
        cannot be read (no such method: then ``train`` is judged from the W it is given)."""
        from grader.sandbox import fetch
        from grader.sandbox.errors import StudentException

        def init_fn(shape, seed):
            D, C = shape
            obj = getattr(self.student, class_name)(dims=[C, D])
            self.sandbox.reseed(seed)
            try:
                obj.init_weights(dims=[C, D])
            except StudentException:
                return None
            W = fetch(obj.W)
            return W.T if isinstance(W, np.ndarray) and W.ndim == 2 else None
        return init_fn

    def linear_predict(self, class_name):
        """``predict_fn(W (D, C), X) -> labels``: ``obj.predict(X)``."""
        return lambda W, X: self._classifier(class_name, W).predict(X)


class CS231n(Family):
    """Stanford CS231n."""

    name = "cs231n"
    knn_class = "KNearestNeighbor"
    two_layer_transposed = ()
    two_layer_reg_scale = (1.0, 0.5)  # the starter leaves the factor open; the course changed it in 2017
    optim_keys = {"sgd": {}, "sgd_momentum": {"velocity": "velocity"}, "rmsprop": {"cache": "cache"},
                  "adam": {"m": "m", "v": "v", "t": "t"}}

    def fc_net(self):
        """``FullyConnectedNet(hidden_dims, input_dim, num_classes, dropout, normalization, reg,
        weight_scale, dtype, seed)``. The keep probability is passed (positionally: it is ``dropout`` or
        ``dropout_keep_ratio`` depending on the year) and ``normalization`` (by keyword) only when the test
        uses the feature."""
        cls, reseed = self.student.FullyConnectedNet, fc_net.reseeder(self.sandbox)

        def make(hidden_dims, input_dim, num_classes, *, dropout_keep=1, normalization=None, reg=0.0,
                 weight_scale=1e-2, seed=0):
            keep = (dropout_keep,) if dropout_keep != 1 else ()
            optional = {"normalization": normalization} if normalization else {}
            net = cls(list(hidden_dims), input_dim, num_classes, *keep, **optional, reg=reg,
                      weight_scale=weight_scale, dtype="float64", seed=seed)
            return fc_net.Model(net, reseed, seed)
        return make

    def linear_loss(self, name):
        """``softmax_loss_naive(W, X, y, reg) -> (loss, dW)`` and its siblings (already canonical)."""
        def loss_fn(W, X, y, reg):
            return unpack_pair(getattr(self.student, name)(W, X, y, reg), name)
        return loss_fn


FAMILIES = {family.name: family for family in (C147, CS231n)}


def bind(assignment, student, sandbox=None) -> Family:
    """The binding of ``assignment.family`` for one submission (the ``family`` fixture)."""
    if assignment.family not in FAMILIES:  # unbound_family stops such a test at collection
        raise AssignmentError(f"{assignment.path / METADATA_FILE}: family = \"{assignment.family}\" has no binding")
    return FAMILIES[assignment.family](student, sandbox)


def unbound_family(item, assignment) -> str | None:
    """The grader's ``family`` fixture asked for by a collected test of an assignment whose family has no
    binding (``own``): said at collection. A ``family`` fixture of the assignment's own ``conftest.py``
    (its own binding) replaces the grader's and is fine."""
    definitions = item._fixtureinfo.name2fixturedefs.get("family", ())
    if assignment.family in FAMILIES or not definitions or definitions[-1].baseid:
        return None
    return (f"{item.nodeid}: uses the 'family' fixture, but {assignment.path / METADATA_FILE} declares "
            f"family = \"{assignment.family}\", which has no binding (bound: {', '.join(FAMILIES)}); "
            "give the checks your own adapters, or define a 'family' fixture in tests/conftest.py")
