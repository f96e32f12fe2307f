import numpy as np

from nndl.layers import *
from nndl.conv_layers import *
from nndl.fast_layers import *
from nndl.layer_utils import *
from nndl.conv_layer_utils import *


class ThreeLayerConvNet(object):
  """conv - [sbn] - relu - 2x2 max pool - affine - [bn] - relu - affine - softmax, written layer by layer."""

  def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7,
               hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0,
               dtype=np.float32, use_batchnorm=False):
    self.use_batchnorm = use_batchnorm
    self.reg = reg
    self.dtype = dtype
    C, H, W = input_dim
    self.params = {
      'W1': np.random.normal(0, weight_scale, (num_filters, C, filter_size, filter_size)),
      'b1': np.zeros(num_filters),
      'W2': np.random.normal(0, weight_scale, (num_filters * H * W // 4, hidden_dim)),
      'b2': np.zeros(hidden_dim),
      'W3': np.random.normal(0, weight_scale, (hidden_dim, num_classes)),
      'b3': np.zeros(num_classes),
    }
    if use_batchnorm:
      self.params.update(sbn_gamma=np.ones(num_filters), sbn_beta=np.zeros(num_filters),
                         bn_gamma=np.ones(hidden_dim), bn_beta=np.zeros(hidden_dim))
    self.sbn_param = {'mode': 'train'}
    self.bn_param = {'mode': 'train'}
    self.params = {k: v.astype(dtype) for k, v in self.params.items()}

  def loss(self, X, y=None):
    p = self.params
    conv_param = {'stride': 1, 'pad': (p['W1'].shape[2] - 1) // 2}
    pool_param = {'pool_height': 2, 'pool_width': 2, 'stride': 2}
    self.sbn_param['mode'] = self.bn_param['mode'] = 'test' if y is None else 'train'
    caches = {}
    h, caches['conv'] = conv_forward_fast(X, p['W1'], p['b1'], conv_param)
    if self.use_batchnorm:
      h, caches['sbn'] = spatial_batchnorm_forward(h, p['sbn_gamma'], p['sbn_beta'], self.sbn_param)
    h, caches['relu1'] = relu_forward(h)
    h, caches['pool'] = max_pool_forward_fast(h, pool_param)
    h, caches['fc1'] = affine_forward(h, p['W2'], p['b2'])
    if self.use_batchnorm:
      h, caches['bn'] = batchnorm_forward(h, p['bn_gamma'], p['bn_beta'], self.bn_param)
    h, caches['relu2'] = relu_forward(h)
    scores, caches['fc2'] = affine_forward(h, p['W3'], p['b3'])
    if y is None:
      return scores

    loss, d = softmax_loss(scores, y)
    grads = {}
    d, grads['W3'], grads['b3'] = affine_backward(d, caches['fc2'])
    d = relu_backward(d, caches['relu2'])
    if self.use_batchnorm:
      d, grads['bn_gamma'], grads['bn_beta'] = batchnorm_backward(d, caches['bn'])
    d, grads['W2'], grads['b2'] = affine_backward(d, caches['fc1'])
    d = max_pool_backward_fast(d, caches['pool'])
    d = relu_backward(d, caches['relu1'])
    if self.use_batchnorm:
      d, grads['sbn_gamma'], grads['sbn_beta'] = spatial_batchnorm_backward(d, caches['sbn'])
    d, grads['W1'], grads['b1'] = conv_backward_fast(d, caches['conv'])
    for k in ('W1', 'W2', 'W3'):
      loss += 0.5 * self.reg * np.sum(p[k] ** 2)
      grads[k] = grads[k] + self.reg * p[k]
    return loss, grads
