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
    mask = (np.random.rand(*x.shape) < p) / p
    out = x * mask
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
    dx = dout * mask
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
  """
  A naive implementation of the forward pass for a convolutional layer.

  Input:
  - x: Input data of shape (N, C, H, W)
  - w: Filter weights of shape (F, C, HH, WW)
  - b: Biases, of shape (F,)
  - conv_param: A dictionary with 'stride' and 'pad'.

  Returns a tuple of:
  - out: Output data, of shape (N, F, H', W') where
    H' = 1 + (H + 2 * pad - HH) / stride, W' = 1 + (W + 2 * pad - WW) / stride
  - cache: (x, w, b, conv_param)
  """
  out = None
  pad = conv_param['pad']
  stride = conv_param['stride']

  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the forward pass of a convolutional neural network.
  # ================================================================ #
  N, C, H, W = x.shape
  F, _, HH, WW = w.shape
  H_out = 1 + (H + 2 * pad - HH) // stride
  W_out = 1 + (W + 2 * pad - WW) // stride
  xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
  out = np.zeros((N, F, H_out, W_out))
  for n in range(N):
    for f in range(F):
      for i in range(H_out):
        for j in range(W_out):
          window = xpad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
          out[n, f, i, j] = np.sum(window * w[f]) + b[f]
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #

  cache = (x, w, b, conv_param)
  return out, cache


def conv_backward_naive(dout, cache):
  """
  A naive implementation of the backward pass for a convolutional layer.

  Inputs:
  - dout: Upstream derivatives.
  - cache: A tuple of (x, w, b, conv_param) as in conv_forward_naive

  Returns a tuple of:
  - dx: Gradient with respect to x
  - dw: Gradient with respect to w
  - db: Gradient with respect to b
  """
  dx, dw, db = None, None, None

  N, F, out_height, out_width = dout.shape
  x, w, b, conv_param = cache

  stride, pad = [conv_param['stride'], conv_param['pad']]
  xpad = np.pad(x, ((0,0), (0,0), (pad,pad), (pad,pad)), mode='constant')
  num_filts, _, f_height, f_width = w.shape

  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the backward pass of a convolutional neural network.
  # ================================================================ #
  dxpad = np.zeros_like(xpad)
  dw = np.zeros_like(w)
  db = np.sum(dout, axis=(0, 2, 3))
  for n in range(N):
    for f in range(F):
      for i in range(out_height):
        for j in range(out_width):
          rows = slice(i * stride, i * stride + f_height)
          cols = slice(j * stride, j * stride + f_width)
          dw[f] += dout[n, f, i, j] * xpad[n, :, rows, cols]
          dxpad[n, :, rows, cols] += dout[n, f, i, j] * w[f]
  dx = dxpad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #

  return dx, dw, db


def max_pool_forward_naive(x, pool_param):
  """
  A naive implementation of the forward pass for a max pooling layer.

  Inputs:
  - x: Input data, of shape (N, C, H, W)
  - pool_param: dictionary with 'pool_height', 'pool_width', 'stride'

  Returns a tuple of:
  - out: Output data
  - cache: (x, pool_param)
  """
  out = None

  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the max pooling forward pass.
  # ================================================================ #
  pool_height = pool_param['pool_height']
  pool_width = pool_param['pool_width']
  stride = pool_param['stride']
  N, C, H, W = x.shape
  H_out = 1 + (H - pool_height) // stride
  W_out = 1 + (W - pool_width) // stride
  out = np.zeros((N, C, H_out, W_out))
  for i in range(H_out):
    for j in range(W_out):
      window = x[:, :, i * stride:i * stride + pool_height, j * stride:j * stride + pool_width]
      out[:, :, i, j] = np.max(window, axis=(2, 3))
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  cache = (x, pool_param)
  return out, cache


def max_pool_backward_naive(dout, cache):
  """
  A naive implementation of the backward pass for a max pooling layer.

  Inputs:
  - dout: Upstream derivatives
  - cache: A tuple of (x, pool_param) as in the forward pass.

  Returns:
  - dx: Gradient with respect to x
  """
  dx = None
  x, pool_param = cache
  pool_height, pool_width, stride = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']

  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the max pooling backward pass.
  # ================================================================ #
  N, C, H_out, W_out = dout.shape
  dx = np.zeros_like(x)
  for n in range(N):
    for c in range(C):
      for i in range(H_out):
        for j in range(W_out):
          window = x[n, c, i * stride:i * stride + pool_height, j * stride:j * stride + pool_width]
          a, e = np.unravel_index(np.argmax(window), window.shape)
          dx[n, c, i * stride + a, j * stride + e] += dout[n, c, i, j]
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #

  return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
  """
  Computes the forward pass for spatial batch normalization.

  Inputs:
  - x: Input data of shape (N, C, H, W)
  - gamma: Scale parameter, of shape (C,)
  - beta: Shift parameter, of shape (C,)
  - bn_param: Dictionary with the following keys:
    - mode: 'train' or 'test'; required
    - eps: Constant for numeric stability
    - momentum: Constant for running mean / variance. momentum=0 means that
      old information is discarded completely at every time step, while
      momentum=1 means that new information is never incorporated. The
      default of momentum=0.9 should work well in most situations.
    - running_mean: Array of shape (D,) giving running mean of features
    - running_var Array of shape (D,) giving running variance of features

  Returns a tuple of:
  - out: Output data, of shape (N, C, H, W)
  - cache: Values needed for the backward pass
  """
  out, cache = None, None

  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the spatial batchnorm forward pass.
  #
  #   You may find it useful to use the batchnorm forward pass you
  #   implemented in HW #4.
  # ================================================================ #
  N, C, H, W = x.shape
  x_flat = x.transpose(0, 2, 3, 1).reshape(-1, C)
  out_flat, cache = batchnorm_forward(x_flat, gamma, beta, bn_param)
  out = out_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #

  return out, cache


def spatial_batchnorm_backward(dout, cache):
  """
  Computes the backward pass for spatial batch normalization.

  Inputs:
  - dout: Upstream derivatives, of shape (N, C, H, W)
  - cache: Values from the forward pass

  Returns a tuple of:
  - dx: Gradient with respect to inputs, of shape (N, C, H, W)
  - dgamma: Gradient with respect to scale parameter, of shape (C,)
  - dbeta: Gradient with respect to shift parameter, of shape (C,)
  """
  dx, dgamma, dbeta = None, None, None

  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the spatial batchnorm backward pass.
  #
  #   You may find it useful to use the batchnorm forward pass you
  #   implemented in HW #4.
  # ================================================================ #
  N, C, H, W = dout.shape
  dout_flat = dout.transpose(0, 2, 3, 1).reshape(-1, C)
  dx_flat, dgamma, dbeta = batchnorm_backward(dout_flat, cache)
  dx = dx_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #

  return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
  """
  Computes the forward pass for spatial group normalization.

  Inputs:
  - x: Input data of shape (N, C, H, W)
  - gamma: Scale parameter, of shape (1, C, 1, 1)
  - beta: Shift parameter, of shape (1, C, 1, 1)
  - G: Integer number of groups to split into, should be a divisor of C
  - gn_param: Dictionary with the following keys:
    - eps: Constant for numeric stability

  Returns a tuple of:
  - out: Output data, of shape (N, C, H, W)
  - cache: Values needed for the backward pass
  """
  out, cache = None, None
  eps = gn_param.get('eps', 1e-5)
  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the forward pass for spatial group normalization.
  # ================================================================ #
  N, C, H, W = x.shape
  xg = x.reshape(N, G, -1)
  mu = xg.mean(axis=2, keepdims=True)
  var = xg.var(axis=2, keepdims=True)
  istd = 1.0 / np.sqrt(var + eps)
  xhat = ((xg - mu) * istd).reshape(N, C, H, W)
  out = gamma * xhat + beta
  cache = (xhat, gamma, istd, G)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return out, cache


def spatial_groupnorm_backward(dout, cache):
  """
  Computes the backward pass for spatial group normalization.

  Inputs:
  - dout: Upstream derivatives, of shape (N, C, H, W)
  - cache: Values from the forward pass

  Returns a tuple of:
  - dx: Gradient with respect to inputs, of shape (N, C, H, W)
  - dgamma: Gradient with respect to scale parameter, of shape (1, C, 1, 1)
  - dbeta: Gradient with respect to shift parameter, of shape (1, C, 1, 1)
  """
  dx, dgamma, dbeta = None, None, None
  # ================================================================ #
  # YOUR CODE HERE:
  #   Implement the backward pass for spatial group normalization.
  # ================================================================ #
  xhat, gamma, istd, G = cache
  N, C, H, W = dout.shape
  dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
  dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)
  dxhat = (dout * gamma).reshape(N, G, -1)
  xh = xhat.reshape(N, G, -1)
  m = xh.shape[2]
  dx = istd / m * (m * dxhat - dxhat.sum(axis=2, keepdims=True)
                   - xh * (dxhat * xh).sum(axis=2, keepdims=True))
  dx = dx.reshape(N, C, H, W)
  # ================================================================ #
  # END YOUR CODE HERE
  # ================================================================ #
  return dx, dgamma, dbeta
