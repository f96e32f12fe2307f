import numpy as np

"""
Fast convolution and max pooling layers (pure numpy stand-ins for the Cython versions of the
CS 231n starter code). Same outputs and the same caches as the naive layers:
conv (x, w, b, conv_param), max pool (x, pool_param).
"""


def _taps(size_h, size_w, stride, H_out, W_out):
  for a in range(size_h):
    for e in range(size_w):
      yield a, e, (slice(a, a + stride * H_out, stride), slice(e, e + stride * W_out, stride))


def conv_forward_fast(x, w, b, conv_param):
  stride, pad = conv_param['stride'], conv_param['pad']
  N, C, H, W = x.shape
  F, _, HH, WW = w.shape
  H_out = 1 + (H + 2 * pad - HH) // stride
  W_out = 1 + (W + 2 * pad - WW) // stride
  xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
  out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, w))
  for a, e, (rows, cols) in _taps(HH, WW, stride, H_out, W_out):
    out += np.einsum('nchw,fc->nfhw', xp[:, :, rows, cols], w[:, :, a, e])
  out += b[None, :, None, None]
  return out, (x, w, b, conv_param)


def conv_backward_fast(dout, cache):
  x, w, b, conv_param = cache
  stride, pad = conv_param['stride'], conv_param['pad']
  F, _, HH, WW = w.shape
  H_out, W_out = dout.shape[2], dout.shape[3]
  xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
  dxp = np.zeros_like(xp)
  dw = np.zeros_like(w)
  for a, e, (rows, cols) in _taps(HH, WW, stride, H_out, W_out):
    dw[:, :, a, e] = np.einsum('nfhw,nchw->fc', dout, xp[:, :, rows, cols])
    dxp[:, :, rows, cols] += np.einsum('nfhw,fc->nchw', dout, w[:, :, a, e])
  dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
  return dx, dw, dout.sum(axis=(0, 2, 3))


def max_pool_forward_fast(x, pool_param):
  ph, pw, stride = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
  H_out = 1 + (x.shape[2] - ph) // stride
  W_out = 1 + (x.shape[3] - pw) // stride
  out = None
  for a, e, (rows, cols) in _taps(ph, pw, stride, H_out, W_out):
    view = x[:, :, rows, cols]
    out = view.copy() if out is None else np.maximum(out, view)
  return out, (x, pool_param)


def max_pool_backward_fast(dout, cache):
  x, pool_param = cache
  ph, pw, stride = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
  out, _ = max_pool_forward_fast(x, pool_param)
  unclaimed = np.ones(out.shape, dtype=bool)
  dx = np.zeros_like(x)
  for a, e, (rows, cols) in _taps(ph, pw, stride, out.shape[2], out.shape[3]):
    wins = unclaimed & (x[:, :, rows, cols] == out)
    unclaimed &= ~wins
    dx[:, :, rows, cols] += dout * wins
  return dx


# The other names the course's fast_layers.py exports (its im2col, stride-trick and reshape variants).
conv_forward_im2col = conv_forward_strides = conv_forward_fast
conv_backward_im2col = conv_backward_strides = conv_backward_fast
max_pool_forward_im2col = max_pool_forward_reshape = max_pool_forward_fast
max_pool_backward_im2col = max_pool_backward_reshape = max_pool_backward_fast
