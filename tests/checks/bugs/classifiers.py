"""Bugs in linear regression, k-NN, softmax, SVM and the two-layer net (cs231n layout, W (D, C))."""
import numpy as np

from grader.checks.diagnose import regularization_alternatives
from grader.checks.misconceptions import cause

from . import Bug, loss_scalar


# -- inputs ----------------------------------------------------------------------------------------

def regression_case(rng):
    N, D = 12, 3
    X = np.hstack([rng.standard_normal((N, D - 1)), np.ones((N, 1))])
    return {"theta": rng.standard_normal(D), "X": X, "y": rng.standard_normal(N)}


def poly_case(rng):
    x = rng.uniform(-1, 1, 15)
    return {"x": x, "y": 1 + 2 * x - 3 * x ** 2 + 0.1 * rng.standard_normal(15), "order": 2}


def knn_case(rng):
    return {"X_train": rng.standard_normal((7, 4)), "X": rng.standard_normal((5, 4)),
            "y_train": np.array([0, 1, 2, 1, 0, 2, 1])}


def tie_case(rng):
    """Each test point has exactly two equally near training points of labels 1 and 2 (k=2), and one
    point that is not a tie."""
    dists = rng.uniform(2, 3, (4, 6))
    dists[:3, 1] = dists[:3, 2] = 0.5
    dists[3, 0] = 0.1
    dists[3, 5] = 0.2
    return {"dists": dists, "y_train": np.array([0, 1, 2, 0, 1, 0]), "k": 2}


def linear_case(rng, reg=0.1):
    N, D, C = 8, 5, 4
    return {"W": 0.5 * rng.standard_normal((D, C)), "X": rng.standard_normal((N, D)),
            "y": rng.integers(0, C, N), "reg": reg}


def no_reg_case(rng):
    return linear_case(rng, reg=0.0)


def scores_case(rng):
    N, C = 6, 5
    return {"x": rng.standard_normal((N, C)) + 1000.0, "y": rng.integers(0, C, N)}


def net_case(rng, reg=0.05):
    N, D, H, C = 6, 5, 7, 3
    return {"W1": 0.5 * rng.standard_normal((D, H)), "b1": 0.1 * rng.standard_normal(H),
            "W2": 0.5 * rng.standard_normal((H, C)), "b2": 0.1 * rng.standard_normal(C),
            "X": rng.standard_normal((N, D)), "y": rng.integers(0, C, N), "reg": reg}


def N_of(args):
    return {"N": len(args["y"])}


LINEAR = ("W", "X", "y", "reg")


# -- linear regression -------------------------------------------------------------------------------

def squared_loss_grad_no_mean(theta, X, y):
    return X.T @ (X @ theta - y)  # ½·mean loss, but the 1/N is missing


def squared_loss_grad_sign(theta, X, y):
    return X.T @ (y - X @ theta) / len(y)


def polyfit_lowest_first(x, y, order):
    A = np.vstack([x ** k for k in range(order + 1)]).T  # 1, x, x², ...: constant first
    return np.linalg.solve(A.T @ A, A.T @ y)


# -- k-NN ------------------------------------------------------------------------------------------

def distances_no_sqrt(X_train, X):
    return (X ** 2).sum(1)[:, None] + (X_train ** 2).sum(1)[None, :] - 2 * X @ X_train.T


def distances_train_by_test(X_train, X):
    return np.sqrt(((X_train[:, None, :] - X[None, :, :]) ** 2).sum(-1))


def predict_labels_ties_to_larger(dists, y_train, k):
    labels = []
    for row in dists:
        closest = y_train[np.argsort(row)[:k]]
        counts = np.bincount(closest)
        labels.append(len(counts) - 1 - np.argmax(counts[::-1]))  # last maximum: the larger label
    return np.array(labels)


# -- softmax -----------------------------------------------------------------------------------------

def _softmax_probs(scores):
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def softmax_loss_dW_no_mean(W, X, y, reg):
    N = X.shape[0]
    p = _softmax_probs(X @ W)
    loss = -np.log(p[np.arange(N), y]).mean() + reg * np.sum(W * W)
    p[np.arange(N), y] -= 1
    return loss, X.T @ p + 2 * reg * W  # forgot /N in the gradient


def softmax_loss_dW_no_reg(W, X, y, reg):
    N = X.shape[0]
    p = _softmax_probs(X @ W)
    loss = -np.log(p[np.arange(N), y]).mean() + reg * np.sum(W * W)
    p[np.arange(N), y] -= 1
    return loss, X.T @ p / N


def softmax_loss_reg_doubled(W, X, y, reg):
    N = X.shape[0]
    p = _softmax_probs(X @ W)
    loss = -np.log(p[np.arange(N), y]).mean() + 2 * reg * np.sum(W * W)
    p[np.arange(N), y] -= 1
    return loss, X.T @ p / N + 4 * reg * W


def softmax_loss_no_shift(x, y):
    e = np.exp(x)  # no max subtraction: overflows on large scores
    p = e / e.sum(axis=1, keepdims=True)
    N = x.shape[0]
    loss = -np.log(p[np.arange(N), y]).mean()
    p[np.arange(N), y] -= 1
    return loss, p / N


def softmax_loss_dW_sign(W, X, y, reg):
    N = X.shape[0]
    p = _softmax_probs(X @ W)
    loss = -np.log(p[np.arange(N), y]).mean() + reg * np.sum(W * W)
    p[np.arange(N), y] -= 1
    return loss, -X.T @ p / N + 2 * reg * W  # "gradient descent direction" stored as the gradient


def softmax_loss_dW_transposed(W, X, y, reg):
    N = X.shape[0]
    p = _softmax_probs(X @ W)
    loss = -np.log(p[np.arange(N), y]).mean() + reg * np.sum(W * W)
    p[np.arange(N), y] -= 1
    return loss, p.T @ X / N + 2 * reg * W.T


def softmax_loss_summed(W, X, y, reg):
    N = X.shape[0]
    p = _softmax_probs(X @ W)
    loss = -np.log(p[np.arange(N), y]).sum() + N * reg * np.sum(W * W)  # whole loss summed over N
    p[np.arange(N), y] -= 1
    return loss, X.T @ p + 2 * N * reg * W


def softmax_loss_naive_missing_correct_class(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        s = X[i] @ W
        s -= s.max()
        p = np.exp(s) / np.exp(s).sum()
        loss -= np.log(p[y[i]])
        for j in range(C):
            dW[:, j] += p[j] * X[i]  # the -X[i] of the correct class is missing
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


# -- SVM ---------------------------------------------------------------------------------------------

def svm_loss_counts_correct_class(W, X, y, reg):
    scores = X @ W
    correct = scores[np.arange(len(y)), y][:, None]
    margins = np.maximum(0, scores - correct + 1)  # the correct class adds max(0, 1) = 1
    return margins.sum(axis=1).mean() + reg * np.sum(W * W)


def svm_loss_dW_no_correct_term(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    margins = np.maximum(0, scores - scores[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum(axis=1).mean() + reg * np.sum(W * W)
    mask = (margins > 0).astype(float)  # the -count on the correct class is missing
    return loss, X.T @ mask / N + 2 * reg * W


def svm_loss_half_reg(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    margins = np.maximum(0, scores - scores[np.arange(N), y][:, None] + 1)
    margins[np.arange(N), y] = 0
    loss = margins.sum(axis=1).mean() + 0.5 * reg * np.sum(W * W)
    mask = (margins > 0).astype(float)
    mask[np.arange(N), y] = -mask.sum(axis=1)
    return loss, X.T @ mask / N + reg * W


def svm_loss_no_hinge(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, None] + 1  # max(0, .) forgotten
    margins[np.arange(N), y] = 0
    loss = margins.sum(axis=1).mean() + reg * np.sum(W * W)
    mask = np.ones_like(margins)
    mask[np.arange(N), y] = -(W.shape[1] - 1)
    return loss, X.T @ mask / N + 2 * reg * W


# -- two-layer net (cs231n: reg·(‖W1‖² + ‖W2‖²)) -------------------------------------------------------

def _two_layer(W1, b1, W2, b2, X, y, reg, *, db2_mean=True, relu_mask=True, reg_scale=1.0):
    """The shared body of the buggy two-layer nets; each keyword flips one student bug."""
    N = X.shape[0]
    hidden = np.maximum(0, X @ W1 + b1)
    p = _softmax_probs(hidden @ W2 + b2)
    loss = -np.log(p[np.arange(N), y]).mean() + reg_scale * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = p
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads = {"W2": hidden.T @ dscores + 2 * reg_scale * reg * W2,
             "b2": dscores.sum(0) if db2_mean else dscores.sum(0) * N}
    dhidden = dscores @ W2.T
    dhidden = dhidden * (hidden > 0) if relu_mask else dhidden * hidden
    grads["W1"] = X.T @ dhidden + 2 * reg_scale * reg * W1
    grads["b1"] = dhidden.sum(0)
    return loss, {k: grads[k] for k in ("W1", "b1", "W2", "b2")}


def two_layer_db2_summed(W1, b1, W2, b2, X, y, reg):
    return _two_layer(W1, b1, W2, b2, X, y, reg, db2_mean=False)


def two_layer_relu_mask_from_activation(W1, b1, W2, b2, X, y, reg):
    return _two_layer(W1, b1, W2, b2, X, y, reg, relu_mask=False)


def two_layer_half_reg(W1, b1, W2, b2, X, y, reg):
    return _two_layer(W1, b1, W2, b2, X, y, reg, reg_scale=0.5)


NET = ("W1", "b1", "W2", "b2", "X", "y", "reg")


def ref_two_layer(ref, a, reg_scale=1.0):
    """(loss, grads) of the cs231n two-layer net through the reference layers."""
    h, c1 = ref.affine_forward(a["X"], a["W1"], a["b1"])
    r, c2 = ref.relu_forward(h)
    s, c3 = ref.affine_forward(r, a["W2"], a["b2"])
    data, ds = ref.softmax_loss(s, a["y"])
    pen = reg_scale * a["reg"]
    loss = data + pen * (np.sum(a["W1"] ** 2) + np.sum(a["W2"] ** 2))
    dr, dW2, db2 = ref.affine_backward(ds, c3)
    dX, dW1, db1 = ref.affine_backward(ref.relu_backward(dr, c2), c1)
    return loss, {"W1": dW1 + 2 * pen * a["W1"], "b1": db1, "W2": dW2 + 2 * pen * a["W2"], "b2": db2}


def two_layer_c147_without_half(W1, b1, W2, b2, X, y, reg):
    return _two_layer(W1, b1, W2, b2, X, y, reg)  # reg·‖W‖²: the c147 net uses 0.5·reg·‖W‖²


def net_reg_alternatives(ref, a, scale=1.0):
    data = ref_two_layer(ref, {**a, "reg": 0.0})
    reg, W1, W2 = a["reg"], a["W1"], a["W2"]
    penalty = (reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2)),
               {"W1": 2 * reg * W1, "b1": 0 * a["b1"], "W2": 2 * reg * W2, "b2": 0 * a["b2"]})
    return regularization_alternatives(data, penalty, scale=scale)


def linear_reg_alternatives(fn):
    """Regularization alternatives of a (loss, dW) linear classifier with reg·ΣW² (reg_scale 1)."""
    def alternatives(ref, a):
        data = getattr(ref, fn)(a["W"], a["X"], a["y"], 0.0)
        penalty = (a["reg"] * np.sum(a["W"] ** 2), 2 * a["reg"] * a["W"])
        return regularization_alternatives(data, penalty, scale=1.0)
    return alternatives


def as_W(fn):
    """A (loss, dW) function as the gradient dict {"W": dW} of the bug suite."""
    return lambda a: {"W": fn(*[a[n] for n in LINEAR])[1]}


def ref_dW(fn):
    return lambda ref, a: {"W": getattr(ref, fn)(*[a[n] for n in LINEAR])[1]}


SOFTMAX, SVM = "softmax_loss_vectorized", "svm_loss_vectorized"
LR_NEEDS = ("squared_loss", "squared_loss_grad")


def ref_squared_grad(ref, a):
    """Gradient of the reference's ½·mean squared loss (the lecture convention)."""
    return {"theta": ref.squared_loss_grad(a["theta"], a["X"], a["y"])}


BUGS = [
    Bug("linear regression", "gradient of the mean loss without 1/N", "gradient", regression_case,
        lambda a: {"theta": squared_loss_grad_no_mean(a["theta"], a["X"], a["y"])},
        cause("summed-not-averaged"), LR_NEEDS, expected=ref_squared_grad,
        scalar=loss_scalar("squared_loss", ("theta", "X", "y")), wrt=("theta",), context=N_of),
    Bug("linear regression", "gradient with the sign of the residual flipped", "gradient", regression_case,
        lambda a: {"theta": squared_loss_grad_sign(a["theta"], a["X"], a["y"])},
        cause("sign"), LR_NEEDS, expected=ref_squared_grad,
        scalar=loss_scalar("squared_loss", ("theta", "X", "y")), wrt=("theta",)),
    Bug("linear regression", "polynomial coefficients with the constant first", "value", poly_case,
        lambda a: polyfit_lowest_first(a["x"], a["y"], a["order"]), cause("reversed"), ("polyfit",),
        expected=lambda ref, a: ref.polyfit(a["x"], a["y"], a["order"])),
    Bug("k-NN", "L2 distances without the square root", "value", knn_case,
        lambda a: distances_no_sqrt(a["X_train"], a["X"]), cause("distances-squared"),
        ("compute_distances_no_loops",),
        expected=lambda ref, a: ref.compute_distances_no_loops(a["X_train"], a["X"]),
        alternatives=lambda ref, a: {cause("distances-squared"):
                                     ref.compute_distances_no_loops(a["X_train"], a["X"]) ** 2}),
    Bug("k-NN", "distance matrix (num_train, num_test)", "value", knn_case,
        lambda a: distances_train_by_test(a["X_train"], a["X"]), cause("transposed"),
        ("compute_distances_no_loops",),
        expected=lambda ref, a: ref.compute_distances_no_loops(a["X_train"], a["X"])),
    Bug("k-NN", "label ties go to the larger label", "value", tie_case,
        lambda a: predict_labels_ties_to_larger(a["dists"], a["y_train"], a["k"]), None, ("predict_labels",),
        expected=lambda ref, a: ref.predict_labels(a["dists"], a["y_train"], k=a["k"])),
    Bug("softmax", "dW without 1/N", "gradient", linear_case, as_W(softmax_loss_dW_no_mean), None,
        (SOFTMAX,), expected=ref_dW(SOFTMAX), scalar=loss_scalar(SOFTMAX, LINEAR), wrt=("W",),
        context=N_of),
    Bug("softmax", "regularization missing from dW", "gradient", linear_case, as_W(softmax_loss_dW_no_reg),
        cause("reg-missing"), (SOFTMAX,), expected=ref_dW(SOFTMAX), scalar=loss_scalar(SOFTMAX, LINEAR),
        wrt=("W",), alternatives=lambda ref, a: {k: {"W": v[1]} for k, v in
                                                  linear_reg_alternatives(SOFTMAX)(ref, a).items()}),
    Bug("softmax", "regularization doubled in loss and gradient", "value", linear_case,
        lambda a: softmax_loss_reg_doubled(*[a[n] for n in LINEAR]), cause("reg-doubled"), (SOFTMAX,),
        expected=lambda ref, a: ref.softmax_loss_vectorized(*[a[n] for n in LINEAR]),
        alternatives=linear_reg_alternatives(SOFTMAX)),
    Bug("softmax", "no max shift: +1000 scores overflow", "value", scores_case,
        lambda a: softmax_loss_no_shift(a["x"], a["y"]), cause("softmax-overflow"), ("softmax_loss",),
        expected=lambda ref, a: ref.softmax_loss(a["x"], a["y"]), context=lambda a: {"large_offset": True}),
    Bug("softmax", "dW with the sign flipped (no regularization)", "gradient", no_reg_case,
        as_W(softmax_loss_dW_sign), cause("sign"), (SOFTMAX,), expected=ref_dW(SOFTMAX),
        scalar=loss_scalar(SOFTMAX, LINEAR), wrt=("W",)),
    Bug("softmax", "dW returned as (C, D)", "value", linear_case,
        lambda a: softmax_loss_dW_transposed(*[a[n] for n in LINEAR]), cause("transposed"), (SOFTMAX,),
        expected=lambda ref, a: ref.softmax_loss_vectorized(*[a[n] for n in LINEAR])),
    Bug("softmax", "loss and gradient summed over N", "value", linear_case,
        lambda a: softmax_loss_summed(*[a[n] for n in LINEAR]), cause("summed-not-averaged"), (SOFTMAX,),
        expected=lambda ref, a: ref.softmax_loss_vectorized(*[a[n] for n in LINEAR]), context=N_of),
    Bug("softmax", "naive loop forgets -x_i on the correct class", "gradient", linear_case,
        as_W(softmax_loss_naive_missing_correct_class), None, (SOFTMAX,), expected=ref_dW(SOFTMAX),
        scalar=loss_scalar(SOFTMAX, LINEAR), wrt=("W",)),
    Bug("SVM", "margin counted for the correct class", "value", linear_case,
        lambda a: svm_loss_counts_correct_class(*[a[n] for n in LINEAR]), cause("svm-correct-class"), (SVM,),
        expected=lambda ref, a: ref.svm_loss_vectorized(*[a[n] for n in LINEAR])[0],
        alternatives=lambda ref, a: {cause("svm-correct-class"):
                                     ref.svm_loss_vectorized(*[a[n] for n in LINEAR])[0] + 1.0}),
    Bug("SVM", "dW misses the -count·x_i of the correct class", "gradient", linear_case,
        as_W(svm_loss_dW_no_correct_term), None, (SVM,), expected=ref_dW(SVM),
        scalar=loss_scalar(SVM, LINEAR), wrt=("W",)),
    Bug("SVM", "regularization with ½ where the convention is 1", "value", linear_case,
        lambda a: svm_loss_half_reg(*[a[n] for n in LINEAR]), cause("reg-with-half"), (SVM,),
        expected=lambda ref, a: ref.svm_loss_vectorized(*[a[n] for n in LINEAR]),
        alternatives=linear_reg_alternatives(SVM)),
    Bug("SVM", "hinge without max(0, ·)", "gradient", linear_case, as_W(svm_loss_no_hinge), None, (SVM,),
        expected=ref_dW(SVM), scalar=loss_scalar(SVM, LINEAR), wrt=("W",)),
    Bug("two-layer net", "db2 summed over N", "gradient", net_case,
        lambda a: two_layer_db2_summed(*[a[n] for n in NET])[1], cause("summed-not-averaged"),
        ("affine_forward", "relu_forward", "softmax_loss"), expected=lambda ref, a: ref_two_layer(ref, a)[1],
        scalar=lambda ref, a: float(ref_two_layer(ref, a)[0]), wrt=("W1", "b1", "W2", "b2"), context=N_of),
    Bug("two-layer net", "ReLU backward multiplies by the activation", "gradient", net_case,
        lambda a: two_layer_relu_mask_from_activation(*[a[n] for n in NET])[1], None,
        ("affine_forward", "relu_forward", "softmax_loss"), expected=lambda ref, a: ref_two_layer(ref, a)[1],
        scalar=lambda ref, a: float(ref_two_layer(ref, a)[0]), wrt=("W1", "b1", "W2", "b2")),
    Bug("two-layer net", "regularization with ½ (cs231n uses reg·‖W‖²)", "value", net_case,
        lambda a: two_layer_half_reg(*[a[n] for n in NET]), cause("reg-with-half"),
        ("affine_forward", "relu_forward", "softmax_loss"), expected=lambda ref, a: ref_two_layer(ref, a),
        alternatives=net_reg_alternatives),
    Bug("two-layer net", "c147 net: regularization without ½", "value", net_case,
        lambda a: two_layer_c147_without_half(*[a[n] for n in NET]), cause("reg-without-half"),
        ("affine_forward", "relu_forward", "softmax_loss"),
        expected=lambda ref, a: ref_two_layer(ref, a, reg_scale=0.5),
        alternatives=lambda ref, a: net_reg_alternatives(ref, a, scale=0.5)),
]
