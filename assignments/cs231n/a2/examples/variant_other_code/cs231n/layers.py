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
  dx = np.where(x > 0, dout, 0.0)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx



def batchnorm_forward(x, gamma, beta, bn_param):
  """
  Forward pass for batch normalization.

  Input:
  - x: Data of shape (N, D)
  - gamma: Scale parameter of shape (D,)
  - beta: Shift paremeter of shape (D,)
  - bn_param: Dictionary with the following keys:
    - mode: 'train' or 'test'; required
    - eps: Constant for numeric stability
    - momentum: Constant for running mean / variance.
    - running_mean: Array of shape (D,) giving running mean of features
    - running_var Array of shape (D,) giving running variance of features

  Returns a tuple of:
  - out: of shape (N, D)
  - cache: A tuple of values needed in the backward pass
  """
  mode = bn_param['mode']
  eps = bn_param.get('eps', 1e-5)
  momentum = bn_param.get('momentum', 0.9)

  N, D = x.shape
  running_mean = bn_param.get('running_mean', np.zeros(D, dtype=x.dtype))
  running_var = bn_param.get('running_var', np.zeros(D, dtype=x.dtype))

  out, cache = None, None
  if mode == 'train':
    # ================================================================ #
    # YOUR CODE HERE:
    # ================================================================ #
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    running_mean = momentum * running_mean + (1 - momentum) * mu
    running_var = momentum * running_var + (1 - momentum) * var
    cache = (x, x_hat, mu, var, eps, gamma)
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #
  elif mode == 'test':
    # ================================================================ #
    # YOUR CODE HERE:
    # ================================================================ #
    x_hat = (x - running_mean) / np.sqrt(running_var + eps)
    out = gamma * x_hat + beta
    cache = (x, x_hat, running_mean, running_var, eps, gamma)
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #
  else:
    raise ValueError('Invalid forward batchnorm mode "%s"' % mode)

  # Store the updated running means back into bn_param
  bn_param['running_mean'] = running_mean
  bn_param['running_var'] = running_var

  return out, cache


def batchnorm_backward(dout, cache):
  """
  Backward pass for batch normalization.

  Inputs:
  - dout: Upstream derivatives, of shape (N, D)
  - cache: Variable of intermediates from batchnorm_forward.

  Returns a tuple of:
  - dx: Gradient with respect to inputs x, of shape (N, D)
  - dgamma: Gradient with respect to scale parameter gamma, of shape (D,)
  - dbeta: Gradient with respect to shift parameter beta, of shape (D,)
  """
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  x, x_hat, mu, var, eps, gamma = cache
  N = x.shape[0]
  dbeta = np.sum(dout, axis=0)
  dgamma = np.sum(dout * x_hat, axis=0)
  dx_hat = dout * gamma
  xmu = x - mu
  inv_std = 1.0 / np.sqrt(var + eps)
  dvar = np.sum(dx_hat * xmu, axis=0) * -0.5 * inv_std ** 3
  dmu = -np.sum(dx_hat * inv_std, axis=0) - 2.0 * dvar * np.mean(xmu, axis=0)
  dx = dx_hat * inv_std + 2.0 * xmu * dvar / N + dmu / N
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
  """
  Performs the forward pass for (inverted) dropout.

  Inputs:
  - x: Input data, of any shape
  - dropout_param: A dictionary with the following keys:
    - p: Dropout parameter. We keep each neuron output with probability p.
    - mode: 'test' or 'train'. If the mode is train, then perform dropout;
      if the mode is test, then just return the input.
    - seed: Seed for the random number generator. Passing seed makes this
      function deterministic, which is needed for gradient checking but not in
      real networks.

  Outputs:
  - out: Array of the same shape as x.
  - cache: A tuple (dropout_param, mask). In training mode, mask is the dropout
    mask that was used to multiply the input; in test mode, mask is None.
  """
  p, mode = dropout_param['p'], dropout_param['mode']
  if 'seed' in dropout_param:
    np.random.seed(dropout_param['seed'])

  mask = None
  out = None

  if mode == 'train':
    # ================================================================ #
    # YOUR CODE HERE:
    # ================================================================ #
    mask = np.random.uniform(size=x.shape) < p
    out = x * mask / p
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #
  elif mode == 'test':
    # ================================================================ #
    # YOUR CODE HERE:
    # ================================================================ #
    out = x
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #

  cache = (dropout_param, mask)
  out = out.astype(x.dtype, copy=False)

  return out, cache


def dropout_backward(dout, cache):
  """
  Perform the backward pass for (inverted) dropout.

  Inputs:
  - dout: Upstream derivatives, of any shape
  - cache: (dropout_param, mask) from dropout_forward.
  """
  dropout_param, mask = cache
  mode = dropout_param['mode']

  dx = None
  if mode == 'train':
    # ================================================================ #
    # YOUR CODE HERE:
    # ================================================================ #
    dx = dout * mask / dropout_param['p']
    # ================================================================ #
    # END YOUR CODE HERE
    # ================================================================ #
  elif mode == 'test':
    dx = dout
  return dx


def batchnorm_backward_alt(dout, cache):
  """
  Alternative backward pass for batch normalization: the simplified formula.
  Returns (dx, dgamma, dbeta).
  """
  dx, dgamma, dbeta = None, None, None
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  x, x_hat, mu, var, eps, gamma = cache
  N = x.shape[0]
  dbeta = np.sum(dout, axis=0)
  dgamma = np.sum(dout * x_hat, axis=0)
  dx = (gamma / (N * np.sqrt(var + eps))) * (N * dout - dbeta - x_hat * dgamma)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
  """
  Forward pass for layer normalization: each data point is normalized over its
  features. ln_param: eps. Returns (out, cache).
  """
  out, cache = None, None
  eps = ln_param.get('eps', 1e-5)
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  mu = np.mean(x, axis=1, keepdims=True)
  var = np.var(x, axis=1, keepdims=True)
  x_hat = (x - mu) / np.sqrt(var + eps)
  out = gamma * x_hat + beta
  cache = (x_hat, var, eps, gamma)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return out, cache


def layernorm_backward(dout, cache):
  """
  Backward pass for layer normalization. Returns (dx, dgamma, dbeta).
  """
  dx, dgamma, dbeta = None, None, None
  # ================================================================ #
  # YOUR CODE HERE:
  # ================================================================ #
  x_hat, var, eps, gamma = cache
  D = x_hat.shape[1]
  dbeta = np.sum(dout, axis=0)
  dgamma = np.sum(dout * x_hat, axis=0)
  g = dout * gamma
  dx = (1.0 / (D * np.sqrt(var + eps))) * (D * g - np.sum(g, axis=1, keepdims=True)
                                           - x_hat * np.sum(g * x_hat, axis=1, keepdims=True))
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx, dgamma, dbeta

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


# ---------------------------------------------------------------------------
# Convolutional layers, max pooling, spatial batch norm and group norm
# ---------------------------------------------------------------------------

def conv_forward_naive(x, w, b, conv_param):
  """Convolution as one tensordot per filter tap (vectorized)."""
  stride, pad = conv_param['stride'], conv_param['pad']
  N, C, H, W = x.shape
  F, _, HH, WW = w.shape
  Ho = (H + 2 * pad - HH) // stride + 1
  Wo = (W + 2 * pad - WW) // stride + 1
  xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
  out = np.zeros((N, F, Ho, Wo)) + b.reshape(1, F, 1, 1)
  for a in range(HH):
    for e in range(WW):
      taps = xp[:, :, a:a + stride * Ho:stride, e:e + stride * Wo:stride]   # (N, C, Ho, Wo)
      out += np.tensordot(taps, w[:, :, a, e], axes=([1], [1])).transpose(0, 3, 1, 2)
  return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
  x, w, b, conv_param = cache
  stride, pad = conv_param['stride'], conv_param['pad']
  F, C, HH, WW = w.shape
  Ho, Wo = dout.shape[2:]
  xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
  dxp = np.zeros(xp.shape)
  dw = np.zeros(w.shape)
  for a in range(HH):
    for e in range(WW):
      taps = xp[:, :, a:a + stride * Ho:stride, e:e + stride * Wo:stride]
      dw[:, :, a, e] = np.tensordot(dout, taps, axes=([0, 2, 3], [0, 2, 3]))
      dxp[:, :, a:a + stride * Ho:stride, e:e + stride * Wo:stride] += np.tensordot(
          dout, w[:, :, a, e], axes=([1], [0])).transpose(0, 3, 1, 2)
  dx = dxp[:, :, pad:xp.shape[2] - pad, pad:xp.shape[3] - pad]
  db = dout.sum(axis=(0, 2, 3))
  return dx, dw, db


def _windows(x, ph, pw, s):
  N, C, H, W = x.shape
  Ho, Wo = (H - ph) // s + 1, (W - pw) // s + 1
  cols = np.stack([x[:, :, a:a + s * Ho:s, e:e + s * Wo:s] for a in range(ph) for e in range(pw)], axis=-1)
  return cols   # (N, C, Ho, Wo, ph*pw)


def max_pool_forward_naive(x, pool_param):
  ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
  out = _windows(x, ph, pw, s).max(axis=-1)
  return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
  x, pool_param = cache
  ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
  winner = _windows(x, ph, pw, s).argmax(axis=-1)
  dx = np.zeros_like(x)
  Ho, Wo = dout.shape[2:]
  for k in range(ph * pw):
    a, e = divmod(k, pw)
    dx[:, :, a:a + s * Ho:s, e:e + s * Wo:s] += dout * (winner == k)
  return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
  """Per-channel statistics over (N, H, W), written out directly (own cache)."""
  mode = bn_param['mode']
  eps = bn_param.get('eps', 1e-5)
  momentum = bn_param.get('momentum', 0.9)
  C = x.shape[1]
  g = gamma.reshape(1, C, 1, 1)
  bt = beta.reshape(1, C, 1, 1)
  if mode == 'train':
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    bn_param['running_mean'] = momentum * bn_param.get('running_mean', np.zeros(C)) + (1 - momentum) * mu.ravel()
    bn_param['running_var'] = momentum * bn_param.get('running_var', np.zeros(C)) + (1 - momentum) * var.ravel()
  else:
    mu = bn_param['running_mean'].reshape(1, C, 1, 1)
    var = bn_param['running_var'].reshape(1, C, 1, 1)
  istd = 1.0 / np.sqrt(var + eps)
  xhat = (x - mu) * istd
  return g * xhat + bt, {'xhat': xhat, 'istd': istd, 'gamma': g}


def spatial_batchnorm_backward(dout, cache):
  xhat, istd, g = cache['xhat'], cache['istd'], cache['gamma']
  m = dout.shape[0] * dout.shape[2] * dout.shape[3]
  dbeta = dout.sum(axis=(0, 2, 3))
  dgamma = (dout * xhat).sum(axis=(0, 2, 3))
  dxhat = dout * g
  dx = istd / m * (m * dxhat - dxhat.sum(axis=(0, 2, 3), keepdims=True)
                   - xhat * (dxhat * xhat).sum(axis=(0, 2, 3), keepdims=True))
  return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
  """Group norm, one group at a time; the cache is a dict."""
  eps = gn_param.get('eps', 1e-5)
  N, C, H, W = x.shape
  size = C // G
  xhat = np.empty_like(x)
  istd = np.empty((N, G))
  for g in range(G):
    part = x[:, g * size:(g + 1) * size]
    mu = part.mean(axis=(1, 2, 3)).reshape(N, 1, 1, 1)
    var = part.var(axis=(1, 2, 3)).reshape(N, 1, 1, 1)
    istd[:, g] = 1.0 / np.sqrt(var.ravel() + eps)
    xhat[:, g * size:(g + 1) * size] = (part - mu) / np.sqrt(var + eps)
  return gamma * xhat + beta, {'xhat': xhat, 'istd': istd, 'gamma': gamma, 'G': G}


def spatial_groupnorm_backward(dout, cache):
  xhat, istd, gamma, G = cache['xhat'], cache['istd'], cache['gamma'], cache['G']
  N, C, H, W = dout.shape
  size = C // G
  m = size * H * W
  dgamma = np.sum(dout * xhat, axis=(0, 2, 3)).reshape(1, C, 1, 1)
  dbeta = np.sum(dout, axis=(0, 2, 3)).reshape(1, C, 1, 1)
  dxhat = dout * gamma
  dx = np.empty_like(dout)
  for g in range(G):
    sl = slice(g * size, (g + 1) * size)
    d, xh = dxhat[:, sl], xhat[:, sl]
    s = istd[:, g].reshape(N, 1, 1, 1)
    dx[:, sl] = s / m * (m * d - d.sum(axis=(1, 2, 3), keepdims=True)
                         - xh * (d * xh).sum(axis=(1, 2, 3), keepdims=True))
  return dx, dgamma, dbeta
