import numpy as np
import pdb

"""
This code was originally written for CS 231n at Stanford University
(cs231n.stanford.edu).  It has been modified in various areas for use in the
ECE 239AS class at UCLA.  This includes the descriptions of what code to
implement as well as some slight potential changes in variable names to be
consistent with class nomenclature.  We thank Justin Johnson & Serena Yeung for
permission to use this code.  To see the original version, please visit
cs231n.stanford.edu.
"""

def affine_forward(x, w, b):
  """
  Computes the forward pass for an affine (fully-connected) layer.

  Inputs:
  - x: A numpy array containing input data, of shape (N, d_1, ..., d_k)
  - w: A numpy array of weights, of shape (D, M)
  - b: A numpy array of biases, of shape (M,)

  Returns a tuple of:
  - out: output, of shape (N, M)
  - cache: (x, w, b)
  """
  # ================================================================ #
  # YOUR CODE HERE:
  #   Calculate the output of the forward pass.
  # ================================================================ #
  x_flat = x.reshape(x.shape[0], -1)
  out = x_flat.dot(w) + b
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  cache = (x, w, b)
  return out, cache


def affine_backward(dout, cache):
  """
  Computes the backward pass for an affine layer.

  Inputs:
  - dout: Upstream derivative, of shape (N, M)
  - cache: Tuple of:
    - x: Input data, of shape (N, d_1, ... d_k)
    - w: Weights, of shape (D, M)
    - b: biases, of shape (M,)

  Returns a tuple of:
  - dx: Gradient with respect to x, of shape (N, d1, ..., d_k)
  - dw: Gradient with respect to w, of shape (D, M)
  - db: Gradient with respect to b, of shape (M,)
  """
  x, w, b = cache
  dx, dw, db = None, None, None
  # ================================================================ #
  # YOUR CODE HERE:
  #   Calculate the gradients for the backward pass.
  # ================================================================ #
  x_flat = x.reshape(x.shape[0], -1)
  dx = dout.dot(w.T).reshape(x.shape)
  dw = x_flat.T.dot(dout)
  db = np.sum(dout, axis=0)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx, dw, db


def relu_forward(x):
  """
  Computes the forward pass for a layer of rectified linear units (ReLUs).

  Input:
  - x: Inputs, of any shape

  Returns a tuple of:
  - out: Output, of the same shape as x
  - cache: x
  """
  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the ReLU forward pass.
  # ================================================================ #
  out = np.maximum(0, x)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  cache = x
  return out, cache


def relu_backward(dout, cache):
  """
  Computes the backward pass for a layer of rectified linear units (ReLUs).

  Input:
  - dout: Upstream derivatives, of any shape
  - cache: Input x, of same shape as dout

  Returns:
  - dx: Gradient with respect to x
  """
  x = cache
  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the ReLU backward pass
  # ================================================================ #
  dx = dout * (x > 0)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx


def svm_loss(x, y):
  """
  Computes the loss and gradient using for multiclass SVM classification.

  Inputs:
  - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class
    for the ith input.
  - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and
    0 <= y[i] < C

  Returns a tuple of:
  - loss: Scalar giving the loss
  - dx: Gradient of the loss with respect to x
  """
  N = x.shape[0]
  correct_class_scores = x[np.arange(N), y]
  margins = np.maximum(0, x - correct_class_scores[:, np.newaxis] + 1.0)
  margins[np.arange(N), y] = 0
  loss = np.sum(margins) / N
  num_pos = np.sum(margins > 0, axis=1)
  dx = np.zeros_like(x)
  dx[margins > 0] = 1
  dx[np.arange(N), y] -= num_pos
  dx /= N
  return loss, dx


def softmax_loss(x, y):
  """
  Computes the loss and gradient for softmax classification.

  Inputs:
  - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class
    for the ith input.
  - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and
    0 <= y[i] < C

  Returns a tuple of:
  - loss: Scalar giving the loss
  - dx: Gradient of the loss with respect to x
  """
  probs = np.exp(x - np.max(x, axis=1, keepdims=True))
  probs /= np.sum(probs, axis=1, keepdims=True)
  N = x.shape[0]
  loss = -np.sum(np.log(probs[np.arange(N), y])) / N
  dx = probs.copy()
  dx[np.arange(N), y] -= 1
  dx /= N
  return loss, dx


def prelu_forward(x, alpha):
  """
  Forward pass of a PReLU: x where x >= 0, alpha * x elsewhere.
  alpha is a scalar or an array that broadcasts against x (one slope per feature).
  Returns (out, cache).
  """
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  out = np.where(x >= 0, x, alpha * x)
  cache = (x, alpha)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return out, cache


def prelu_backward(dout, cache):
  """
  Backward pass of a PReLU. Returns (dx, dalpha); dalpha has the shape of alpha.
  """
  x, alpha = cache
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  dx = dout * np.where(x > 0, 1.0, alpha)
  dalpha_full = dout * x * (x < 0)
  if np.ndim(alpha) == 0:
    dalpha = np.sum(dalpha_full)
  else:
    dalpha = dalpha_full.reshape(-1, np.size(alpha)).sum(axis=0).reshape(np.shape(alpha))
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx, dalpha


def elu_forward(x, alpha=1.0):
  """
  Forward pass of an ELU: x where x >= 0, alpha * (exp(x) - 1) elsewhere.
  Returns (out, cache).
  """
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  out = np.where(x >= 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))
  cache = (x, alpha)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return out, cache


def elu_backward(dout, cache):
  """
  Backward pass of an ELU. Returns dx.
  """
  x, alpha = cache
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  dx = dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx


def prelu_elu_net(x, y, W1, W2, W3, alpha_prelu, alpha_elu):
  """
  The exam network L = 0.5 * || W3 ELU(W2 PReLU(W1 x)) - y ||^2 for one example.
  x (n,), y (m,), W1, W2 (n, n), W3 (m, n).
  Returns (loss, grads) with grads keys 'W1', 'W2', 'W3', 'alpha_prelu'.
  """
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  h1 = W1.dot(x)
  a1, cache1 = prelu_forward(h1, alpha_prelu)
  h2 = W2.dot(a1)
  a2, cache2 = elu_forward(h2, alpha_elu)
  diff = W3.dot(a2) - y
  loss = 0.5 * np.sum(diff ** 2)
  grads = {}
  grads['W3'] = np.outer(diff, a2)
  dh2 = elu_backward(W3.T.dot(diff), cache2)
  grads['W2'] = np.outer(dh2, a1)
  dh1, grads['alpha_prelu'] = prelu_backward(W2.T.dot(dh2), cache1)
  grads['W1'] = np.outer(dh1, x)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return loss, grads
