from .layers import *

"""
This code was originally written for CS 231n at Stanford University
(cs231n.stanford.edu).  It has been modified in various areas for use in the
ECE 239AS class at UCLA.
"""

def affine_relu_forward(x, w, b):
  """
  Convenience layer that performs an affine transform followed by a ReLU
  """
  a, fc_cache = affine_forward(x, w, b)
  out, relu_cache = relu_forward(a)
  cache = (fc_cache, relu_cache)
  return out, cache


def affine_relu_backward(dout, cache):
  """
  Backward pass for the affine-relu convenience layer
  """
  fc_cache, relu_cache = cache
  da = relu_backward(dout, relu_cache)
  dx, dw, db = affine_backward(da, fc_cache)
  return dx, dw, db


# Convenience layers for convolutional networks (as in the CS 231n starter's layer_utils.py)
from .fast_layers import *


def conv_relu_forward(x, w, b, conv_param):
  """A convolution followed by a ReLU: returns (out, cache)."""
  a, conv_cache = conv_forward_fast(x, w, b, conv_param)
  out, relu_cache = relu_forward(a)
  return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
  """Backward pass for conv_relu_forward: returns (dx, dw, db)."""
  conv_cache, relu_cache = cache
  da = relu_backward(dout, relu_cache)
  return conv_backward_fast(da, conv_cache)


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
  """Convolution, spatial batch normalization and ReLU: returns (out, cache)."""
  a, conv_cache = conv_forward_fast(x, w, b, conv_param)
  an, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
  out, relu_cache = relu_forward(an)
  return out, (conv_cache, bn_cache, relu_cache)


def conv_bn_relu_backward(dout, cache):
  """Backward pass for conv_bn_relu_forward: returns (dx, dw, db, dgamma, dbeta)."""
  conv_cache, bn_cache, relu_cache = cache
  dan = relu_backward(dout, relu_cache)
  da, dgamma, dbeta = spatial_batchnorm_backward(dan, bn_cache)
  dx, dw, db = conv_backward_fast(da, conv_cache)
  return dx, dw, db, dgamma, dbeta


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
  """Convolution, ReLU and max pooling: returns (out, cache)."""
  a, conv_cache = conv_forward_fast(x, w, b, conv_param)
  s, relu_cache = relu_forward(a)
  out, pool_cache = max_pool_forward_fast(s, pool_param)
  return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
  """Backward pass for conv_relu_pool_forward: returns (dx, dw, db)."""
  conv_cache, relu_cache, pool_cache = cache
  ds = max_pool_backward_fast(dout, pool_cache)
  da = relu_backward(ds, relu_cache)
  return conv_backward_fast(da, conv_cache)
