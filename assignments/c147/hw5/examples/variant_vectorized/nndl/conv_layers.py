import numpy as np
from nndl.layers import *


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
